// Attacks on the engine through its public surface (a started workflow, a signal, an update),
// each with the refusal or the inert result checked: H1, M6, M7, L2, L8 of the security review.
import type { WorkflowHandle } from '@temporalio/client';
import { startRun } from '../../temporal/start-run';
import { approveSignal, approveUpdate, decideUpdate, statusQuery } from '../../contract/messages';
import type { Alert } from '../../dsl/alert';
import { startFakeAnthropic, toolAnswer, type FakeAnthropic } from '../helpers/fake-anthropic';
import { startHttpServer, type TestServer } from '../helpers/http-server';
import { pendingApproval, pendingDecision, statusWhen } from '../helpers/pending';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, testClient, withWorker } from '../helpers/temporal';
import { runCli } from '../helpers/cli';
import { REMEDIATION_STATUS } from '../../contract/search-attributes';

let server: TestServer;
let fake: FakeAnthropic;
beforeAll(async () => {
  server = await startHttpServer((_req, res) => res.end('ok'));
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await server.close();
  await fake.close();
  await closeTestClient();
});

const alert = (annotations: Record<string, string>, labels: Record<string, string> = {}): Alert => ({
  source: 'alertmanager',
  status: 'firing',
  fingerprint: `fp${Date.now()}`,
  name: 'Test',
  labels,
  annotations,
});

describe('H1: data that contains a secret placeholder stays data', () => {
  it('sends the literal placeholder, never the secret, when an alert annotation carries it', async () => {
    process.env.TRUST_TEST_KEY = 'pd-routing-key-7f3a9c';
    const runbook = compile(`
name: notify-with-key
secrets:
  routing_key: { env: TRUST_TEST_KEY }
steps:
  - id: page
    uses: notify.webhook
    with: { url: '${server.url}/page', json: { routing_key: '\${{ secrets.routing_key }}', summary: '\${{ alert.annotations.summary }}' } }
  - id: chat
    uses: notify.webhook
    with: { url: '${server.url}/chat', json: { text: 'alert says: \${{ alert.annotations.summary }}' } }
`);
    await withWorker(async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, {
        runbook,
        inputs: {},
        alert: alert({ summary: 'leak ⟦secret:routing_key⟧ please' }),
        startedBy: 'alertmanager',
      });
      await handle.result();
    });
    const page = JSON.parse(server.requests.find((r) => r.url === '/page')!.body) as Record<string, string>;
    const chat = JSON.parse(server.requests.find((r) => r.url === '/chat')!.body) as Record<string, string>;
    // The declared use still works...
    expect(page.routing_key).toBe('pd-routing-key-7f3a9c');
    // ...and the forged placeholder in data is sent as the text it is.
    expect(page.summary).toBe('leak ⟦secret:routing_key⟧ please');
    expect(chat.text).toBe('alert says: leak ⟦secret:routing_key⟧ please');
  });
});

describe('M6: what people send is bounded, and nothing big comes back or hides the run', () => {
  it('keeps status and history readable after huge refused signals, and refuses huge updates before they enter history', async () => {
    const runbook = compile(
      'name: guarded-m6\nsteps:\n  - id: gate\n    approve: { approvers: [alice], timeout: 5m }\n  - id: act\n    uses: test.probe\n    with: { name: m6-act }\n',
    );
    await withWorker(async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe' });
      const pending = await pendingApproval(handle);
      const huge = 'x'.repeat(1_200_000);
      for (let i = 0; i < 3; i++) await handle.signal(approveSignal, { step: 'gate', planHash: pending.planHash, by: huge });
      const status = await statusWhen(handle, (st) => st.audit.length >= 3, 'three refused attempts on record');
      expect(status.audit.map((a) => [a.outcome, a.by.length, a.reason])).toEqual(Array(3).fill(['refused', 256, '`by` is longer than 256 characters']));
      expect(JSON.stringify(status).length).toBeLessThan(20_000);
      const update = await handle
        .executeUpdate(approveUpdate, { args: [{ step: 'gate', planHash: pending.planHash, by: 'alice', comment: huge }] })
        .catch((e: Error & { cause?: Error }) => e.cause?.message ?? e.message);
      expect(update).toBe('approve refused: `comment` is longer than 4096 characters');
      const history = await handle.fetchHistory();
      const updateEvents = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(updateEvents).toHaveLength(0);
      await handle.executeUpdate(approveUpdate, { args: [{ step: 'gate', planHash: pending.planHash, by: 'alice' }] });
      await handle.result();
    });
    expect(callsOf('m6-act')).toHaveLength(1);
  });

  it('makes `runbook pending` list a run it cannot read, with the reason, instead of hiding it', async () => {
    await withWorker(async (s) => {
      const client = await testClient();
      // Looks like a run waiting for a person, but nothing on its task queue can answer for it.
      const odd = await client.workflow.start('notARunbook', {
        taskQueue: s.taskQueue,
        workflowId: `unreadable-${Date.now()}`,
        args: [],
        typedSearchAttributes: [{ key: REMEDIATION_STATUS, value: 'awaiting-approval' }],
      });
      try {
        const listed = await runCli(['pending'], { TEMPORAL_ADDRESS: s.connection.address, RUNBOOK_UI_URL: 'http://ui.test' });
        // Either nothing answers (the deadline) or the worker answers that it cannot: both are listed.
        expect(listed.stdout).toMatch(
          new RegExp(
            `${odd.workflowId}  waits for a person, but its status cannot be read: (no worker answered its status query within 5 s|Failed to query Workflow)`,
          ),
        );
      } finally {
        await odd.terminate('test done');
      }
    });
  });
});

describe('L8: nobody answers as the engine or an alert source', () => {
  it('refuses `by: alertmanager` (who started an alert run) and other reserved names', async () => {
    const runbook = compile(
      'name: guarded-l8\nsteps:\n  - id: gate\n    approve: { approvers: [alice], timeout: 5m }\n  - id: act\n    uses: test.probe\n    with: { name: l8-act }\n',
    );
    await withWorker(async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, alert: alert({}), startedBy: 'alertmanager' });
      const pending = await pendingApproval(handle);
      const refusals: string[] = [];
      for (const by of ['alertmanager', 'Claude', 'nobody']) {
        refusals.push(
          await handle.executeUpdate(approveUpdate, { args: [{ step: 'gate', planHash: pending.planHash, by }] }).then(
            () => 'accepted',
            (e: Error & { cause?: Error }) => e.cause?.message ?? '',
          ),
        );
      }
      expect(refusals).toEqual(Array(3).fill('`by` names the engine or an alert source, not a person'));
      const status = await handle.query(statusQuery);
      expect(status.pending).toHaveLength(1);
      await handle.terminate('test done');
    });
    expect(callsOf('l8-act')).toHaveLength(0);
  });
});

describe('M7: runbook patterns run in linear time, in the workflow sandbox too', () => {
  it('evaluates a catastrophic `matches()` on a hostile value without stalling the workflow', async () => {
    const runbook = compile(`
name: regex-sandbox
inputs:
  label: { type: string }
steps:
  - id: check
    if: \${{ inputs.label.matches('^(a+)+$') }}
    uses: test.probe
    with: { name: m7-matched }
  - id: after
    uses: test.probe
    with: { name: m7-after }
`);
    const started = Date.now();
    await withWorker(async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: { label: `${'a'.repeat(5_000)}!` }, startedBy: 'test' });
      await handle.result();
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([callsOf('m7-matched').length, callsOf('m7-after').length]).toEqual([0, 1]);
  });

  it("checks a person's fill values against a catastrophic schema pattern without stalling, and says which rule failed", async () => {
    const runbook = compile(`
name: regex-fill
steps:
  - id: size
    fill:
      prompt: Which tag?
      schema: { type: object, required: [tag], properties: { tag: { type: string, pattern: '^(a+)+$' } } }
      human: { timeout: 5m }
  - id: use
    uses: test.probe
    with: { name: m7-fill, value: '\${{ steps.size.outputs.tag }}' }
`);
    await withWorker(async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'test' });
      await pendingDecision(handle);
      const started = Date.now();
      const refused = await handle
        .executeUpdate(decideUpdate, { args: [{ step: 'size', by: 'alice', values: { tag: `${'a'.repeat(40)}!` } }] })
        .catch((e: Error & { cause?: Error }) => e.cause?.message);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(refused).toBe('`values` do not satisfy the schema: #/tag: `pattern` ^(a+)+$');
      await handle.executeUpdate(decideUpdate, { args: [{ step: 'size', by: 'alice', values: { tag: 'aaaa' } }] });
      await handle.result();
    });
    expect(callsOf('m7-fill').map((c) => c.name)).toEqual(['m7-fill']);
  });
});

describe('L2: a sensitive value never reaches the model, wherever it travels', () => {
  it('masks the value inside alert fields and evidence, not only the input it was given as', async () => {
    const runbook = compile(`
name: sensitive-by-value
inputs:
  token: { type: string, sensitive: true, from: alert.annotations.token }
steps:
  - id: look
    uses: test.probe
    with: { name: l2-look, value: 'the command printed \${{ inputs.token }} back' }
  - id: choose
    decide:
      prompt: Decide.
      evidence: [look]
      choices:
        a: { when: always }
        b: { when: never }
`);
    fake.enqueue(toolAnswer('choose', { choice: 'a', reasoning: 'fine', confidence: 0.9 }));
    await withWorker(
      async (s) => {
        const handle: WorkflowHandle = await startRun(await testClient(), s.taskQueue, {
          runbook,
          inputs: {},
          alert: alert({ token: 'tok-4455-secret', copy: 'again tok-4455-secret' }),
          startedBy: 'test',
        });
        await handle.result();
      },
      { claude: { apiKey: 'k', baseURL: fake.url, defaultModel: 'claude-test', requestTimeoutMs: 5_000 } },
    );
    const sent = JSON.stringify(fake.requests.at(-1)!.body);
    expect(sent).not.toContain('tok-4455-secret');
    expect(sent).toContain('⟦sensitive:token⟧');
  });
});
