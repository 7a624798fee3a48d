// Claude decides and fills through the real @anthropic-ai/sdk, against a local server that
// speaks the Messages API; humans take over when the model is wrong, unsure or unreachable.
import type { WorkflowHandle } from '@temporalio/client';
import type { ClaudeConfig } from '../../activities/claude/config';
import { startRun } from '../../temporal/start-run';
import { decideSignal, decideUpdate, statusQuery } from '../../contract/messages';
import { startFakeAnthropic, toolAnswer, type FakeAnthropic } from '../helpers/fake-anthropic';
import { markdownReport } from '../../report/markdown';
import { readHistory } from '../../report/read-history';
import { historyOf } from '../helpers/history';
import { pendingDecision } from '../helpers/pending';
import { expectReplays } from '../helpers/replay';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, testClient, withWorker } from '../helpers/temporal';

let fake: FakeAnthropic;
let claude: ClaudeConfig;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  claude = { apiKey: 'test-key', baseURL: fake.url, defaultModel: 'claude-haiku-5-5', requestTimeoutMs: 5_000 };
});
afterAll(async () => {
  await fake.close();
  await closeTestClient();
});
beforeEach(() => (fake.requests.length = 0));

const TRIAGE = (tag: string) => `
name: triage
description: Roll back or escalate a service with errors.
inputs:
  service: { type: string }
  token: { type: string, sensitive: true, default: hunter2-secret }
steps:
  - id: evidence
    uses: test.probe
    with: { name: '${tag}-evidence', value: { errors_per_s: 250, last_deploy: 10m ago } }
  - id: diagnose
    retry: { maxAttempts: 3, initialInterval: 100ms }
    decide:
      prompt: 'The 5xx rate of \${{ inputs.service }} is high. Pick a remediation.'
      evidence: [evidence]
      minConfidence: 0.7
      choices:
        rollback: { when: a recent deploy lines up with the errors, next: do_rollback }
        escalate: { when: anything else, next: page }
      human: { deciders: [group:oncall], timeout: 30s, onTimeout: page }
  - id: do_rollback
    uses: test.probe
    with: { name: '${tag}-rollback' }
    next: succeed
  - id: page
    uses: test.probe
    with: { name: '${tag}-page' }
outputs:
  chosen: \${{ steps.diagnose.outputs.choice }}
  by: \${{ steps.diagnose.outputs.decidedBy }}
`;

const answer = (choice: string, confidence: number) =>
  toolAnswer(
    'choose',
    { choice, reasoning: `the deploy 10m ago explains the errors (${choice})`, confidence },
    { input_tokens: 900, output_tokens: 60, cache_read_input_tokens: 700, cache_creation_input_tokens: 0 },
  );

async function start(yaml: string, inputs: Record<string, unknown>, taskQueue: string): Promise<WorkflowHandle> {
  return startRun(await testClient(), taskQueue, { runbook: compile(yaml), inputs, startedBy: 'alice' });
}

it('routes to the branch Claude picks, with one model call, and records why', async () => {
  fake.enqueue(answer('rollback', 0.92));
  const { result, status, id } = await withWorker(
    async (s) => {
      const handle = await start(TRIAGE('d1'), { service: 'checkout' }, s.taskQueue);
      return { result: await handle.result(), status: await handle.query(statusQuery), id: handle.workflowId };
    },
    { claude },
  );
  expect(result.outputs).toEqual({ chosen: 'rollback', by: 'claude' });
  expect(callsOf('d1-rollback')).toHaveLength(1);
  expect(callsOf('d1-page')).toHaveLength(0);
  expect(fake.requests).toHaveLength(1);
  const sent = fake.requests[0]!;
  expect(sent.stream).toBe(true);
  expect(sent.body.model).toBe('claude-haiku-5-5');
  expect(sent.body.tool_choice).toEqual({ type: 'tool', name: 'choose' });
  expect(sent.body.tools[0]).toMatchObject({ name: 'choose', strict: true, input_schema: { properties: { choice: { enum: ['rollback', 'escalate'] } } } });
  expect(sent.body.system[0].cache_control).toEqual({ type: 'ephemeral' });
  expect(sent.body.messages[0].content).toContain('The 5xx rate of checkout is high');
  expect(sent.body.messages[0].content).toContain('"errors_per_s": 250');
  expect(JSON.stringify(sent.body)).not.toContain('hunter2-secret');
  expect(status.decisions).toEqual([
    expect.objectContaining({
      step: 'diagnose',
      by: 'claude',
      choice: 'rollback',
      confidence: 0.92,
      model: 'claude-haiku-5-5',
      reasoning: 'the deploy 10m ago explains the errors (rollback)',
      usage: { input: 900, output: 60, cacheRead: 700, cacheWrite: 0 },
    }),
  ]);
  expect(status.tokensUsed).toBe(1660);
  await expectReplays((await testClient()).workflow.getHandle(id), 'decide');
});

it('hands a low-confidence answer to a human, who picks through a signal', async () => {
  fake.enqueue(answer('rollback', 0.4));
  const { result, status, id, pending } = await withWorker(
    async (s) => {
      const handle = await start(TRIAGE('d2'), { service: 'checkout' }, s.taskQueue);
      const pending = await pendingDecision(handle);
      await handle.signal(decideSignal, { step: 'diagnose', by: 'bob', choice: 'escalate', comment: 'not convinced by the deploy theory' });
      return { result: await handle.result(), status: await handle.query(statusQuery), id: handle.workflowId, pending };
    },
    { claude },
  );
  expect(pending).toMatchObject({
    step: 'diagnose',
    why: "Claude's confidence 0.4 is below 0.7",
    suggestion: { choice: 'rollback', confidence: 0.4 },
    eligible: ['alice', 'bob', 'carol'],
  });
  expect(pending.choices?.map((c) => c.name)).toEqual(['rollback', 'escalate']);
  expect(result.outputs).toEqual({ chosen: 'escalate', by: 'bob' });
  expect(callsOf('d2-page')).toHaveLength(1);
  expect(callsOf('d2-rollback')).toHaveLength(0);
  expect(status.decisions[0]).toMatchObject({
    by: 'bob',
    choice: 'escalate',
    reasoning: 'not convinced by the deploy theory',
    suggestion: { choice: 'rollback' },
  });
  expect(status.audit).toEqual([expect.objectContaining({ step: 'diagnose', action: 'decide', by: 'bob', via: 'signal', outcome: 'accepted' })]);
  await expectReplays((await testClient()).workflow.getHandle(id), 'decide-human-low-confidence');
});

it('retries a 529 under the Temporal retry policy and goes on, the retry visible in history', async () => {
  fake.enqueue({ kind: 'error', status: 529 }, answer('rollback', 0.95));
  const { result, id } = await withWorker(
    async (s) => {
      const handle = await start(TRIAGE('d3'), { service: 'api' }, s.taskQueue);
      return { result: await handle.result(), id: handle.workflowId };
    },
    { claude },
  );
  expect(result.outputs).toEqual({ chosen: 'rollback', by: 'claude' });
  expect(fake.requests).toHaveLength(2);
  const started = (await historyOf(id)).find((e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt === 2);
  expect(started?.activityTaskStartedEventAttributes?.lastFailure?.message).toMatch(/^Claude is unavailable: 529 overloaded_error: Overloaded/);
  await expectReplays((await testClient()).workflow.getHandle(id), 'decide-retry-529');
});

it('sends a 401 straight to the human path, without retrying', async () => {
  fake.enqueue({ kind: 'error', status: 401 });
  const { reply, result, pending } = await withWorker(
    async (s) => {
      const handle = await start(TRIAGE('d4'), { service: 'api' }, s.taskQueue);
      const pending = await pendingDecision(handle);
      const reply = await handle.executeUpdate(decideUpdate, { args: [{ step: 'diagnose', by: 'carol', choice: 'rollback' }] });
      return { reply, result: await handle.result(), pending };
    },
    { claude },
  );
  expect(fake.requests).toHaveLength(1);
  expect(pending.why).toBe('Claude could not answer: Claude refused the request: 401 authentication_error: invalid x-api-key');
  expect(pending.suggestion).toBeUndefined();
  expect(reply).toEqual({ step: 'diagnose', message: 'step `diagnose` decided by carol: rollback' });
  expect(result.outputs).toEqual({ chosen: 'rollback', by: 'carol' });
});

it('never acts on an answer outside the declared choices', async () => {
  const bad = toolAnswer('choose', { choice: 'delete_everything', reasoning: 'fastest fix', confidence: 0.99 });
  fake.enqueue(bad, bad, bad);
  const { pending, refused, result } = await withWorker(
    async (s) => {
      const handle = await start(TRIAGE('d5'), { service: 'api' }, s.taskQueue);
      const pending = await pendingDecision(handle);
      const refused = await handle
        .executeUpdate(decideUpdate, { args: [{ step: 'diagnose', by: 'alice', choice: 'delete_everything' }] })
        .catch((e: Error & { cause?: Error }) => e.cause?.message ?? e.message);
      await handle.executeUpdate(decideUpdate, { args: [{ step: 'diagnose', by: 'alice', choice: 'escalate' }] });
      return { pending, refused, result: await handle.result() };
    },
    { claude },
  );
  expect(fake.requests).toHaveLength(3);
  const correction = fake.requests[1]!.body.messages.at(-1).content[0];
  expect(correction).toMatchObject({ type: 'tool_result', is_error: true });
  expect(correction.content).toContain('`choice` must be one of rollback, escalate, not "delete_everything"');
  expect(pending.why).toMatch(/^Claude's answers stayed outside the declared choices/);
  expect(refused).toBe('`choice` must be one of rollback, escalate');
  expect(result.outputs).toEqual({ chosen: 'escalate', by: 'alice' });
  expect(callsOf('d5-rollback')).toHaveLength(0);
});

it('asks a human at once when no model is configured: no model call, no failed activity, and the report says why', async () => {
  const { pending, workflowId } = await withWorker(async (s) => {
    const handle = await start(TRIAGE('d6'), { service: 'api' }, s.taskQueue);
    const pending = await pendingDecision(handle);
    await handle.signal(decideSignal, { step: 'diagnose', by: 'alice', choice: 'escalate' });
    await handle.result();
    return { pending, workflowId: handle.workflowId };
  });
  expect(pending.why).toBe('no model configured on the worker (ANTHROPIC_API_KEY is not set)');
  const events = await historyOf(workflowId);
  const scheduled = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
  expect(scheduled).not.toContain('askClaude');
  // Nothing shows red in the Web UI's timeline: no activity failed or timed out.
  expect(events.filter((e) => e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes)).toEqual([]);
  const report = markdownReport(await readHistory(await (await testClient()).workflow.getHandle(workflowId).fetchHistory(), workflowId));
  expect(report).toContain('No model configured on the worker (no ANTHROPIC_API_KEY): people answered the decide and fill steps.');
  expect(report).toMatch(/`diagnose`: alice decided/);
});

it('says nothing of a missing model when the worker has one', async () => {
  fake.enqueue(answer('escalate', 0.95));
  const workflowId = await withWorker(
    async (s) => {
      const handle = await start(TRIAGE('d6b'), { service: 'api' }, s.taskQueue);
      await handle.result();
      return handle.workflowId;
    },
    { claude },
  );
  const report = markdownReport(await readHistory(await (await testClient()).workflow.getHandle(workflowId).fetchHistory(), workflowId));
  expect(report).not.toContain('No model configured');
  expect(report).toContain('Claude (claude-haiku-5-5) answered **escalate**');
});

it('stops asking the model once the run has spent its token budget', async () => {
  fake.enqueue(answer('escalate', 0.95));
  const twice = `
name: twice
steps:
  - id: first
    decide:
      prompt: First question
      choices: { rollback: { when: a }, escalate: { when: b } }
  - id: again
    decide:
      prompt: Still sure?
      choices: { 'yes': { when: sure }, 'no': { when: not sure } }
`;
  const { pending } = await withWorker(
    async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, {
        runbook: compile(twice),
        inputs: {},
        startedBy: 'alice',
        options: { tokenBudget: 1000 },
      });
      const pending = await pendingDecision(handle);
      await handle.signal(decideSignal, { step: 'again', by: 'alice', choice: 'yes' });
      await handle.result();
      return { pending };
    },
    { claude },
  );
  expect(fake.requests).toHaveLength(1);
  expect(pending).toMatchObject({ step: 'again', why: "the run's token budget (1000) is spent" });
});

describe('fill', () => {
  const SCALE = (tag: string) => `
name: scale
steps:
  - id: size
    retry: { maxAttempts: 2, initialInterval: 100ms }
    fill:
      prompt: How many replicas?
      minConfidence: 0.5
      schema:
        type: object
        required: [replicas]
        additionalProperties: false
        properties:
          replicas: { type: integer, minimum: 2, maximum: 20 }
      human: { timeout: 30s }
  - id: scale_out
    uses: test.probe
    with: { name: '${tag}-scale', value: '\${{ steps.size.outputs.replicas }}' }
outputs:
  replicas: \${{ steps.scale_out.outputs.value }}
`;

  it('passes values within the schema to later steps', async () => {
    fake.enqueue(toolAnswer('fill', { values: { replicas: 6 }, reasoning: 'traffic doubled', confidence: 0.8 }));
    const result = await withWorker(async (s) => (await start(SCALE('f1'), {}, s.taskQueue)).result(), { claude });
    expect(result.outputs).toEqual({ replicas: 6 });
    expect(fake.requests[0]!.body.tools[0].input_schema.properties.values).toEqual({
      type: 'object',
      required: ['replicas'],
      additionalProperties: false,
      properties: { replicas: { type: 'integer', description: 'Constraints: minimum 2, maximum 20.' } },
    });
  });

  it('never lets a value outside the schema reach a command, from the model or from a human', async () => {
    const tooMany = toolAnswer('fill', { values: { replicas: 500 }, reasoning: 'more is better', confidence: 0.99 });
    fake.enqueue(tooMany, tooMany, tooMany);
    const { refused, result, id } = await withWorker(
      async (s) => {
        const handle = await start(SCALE('f2'), {}, s.taskQueue);
        await pendingDecision(handle);
        const refused = await handle
          .executeUpdate(decideUpdate, { args: [{ step: 'size', by: 'dave', values: { replicas: 500 } }] })
          .catch((e: Error & { cause?: Error }) => e.cause?.message ?? e.message);
        await handle.executeUpdate(decideUpdate, { args: [{ step: 'size', by: 'dave', values: { replicas: 4 } }] });
        return { refused, result: await handle.result(), id: handle.workflowId };
      },
      { claude },
    );
    expect(refused).toBe('`values` do not satisfy the schema: #/replicas: `maximum` 20');
    expect(result.outputs).toEqual({ replicas: 4 });
    expect(callsOf('f2-scale')).toHaveLength(1);
    expect(
      JSON.stringify(
        (await historyOf(id))
          .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'test.probe')
          .map((e) => e.activityTaskScheduledEventAttributes?.input),
      ),
    ).not.toContain('500');
    await expectReplays((await testClient()).workflow.getHandle(id), 'fill-human');
  });
});
