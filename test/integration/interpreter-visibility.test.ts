// What operators see: summaries from the runbook, step-named activities, the status query
// while the run is going, search attributes, and continue-as-new for long runs.
import { randomUUID } from 'node:crypto';
import { RUNBOOK_WORKFLOW_TYPE, startRun } from '../../temporal/start-run';
import { ALERT_FINGERPRINT, REMEDIATION_STATUS, RUNBOOK_HASH, RUNBOOK_NAME, SERVICE } from '../../contract/search-attributes';
import type { RunInput } from '../../contract/run';
import { historyOf } from '../helpers/history';
import { statusWhen } from '../helpers/pending';
import { expectReplays } from '../helpers/replay';
import { closeTestClient, compile, testClient, withWorker } from '../helpers/temporal';

afterAll(closeTestClient);

const alert = {
  source: 'alertmanager' as const,
  status: 'firing' as const,
  fingerprint: 'fp-visibility-1',
  name: 'HighErrorRate',
  labels: { service: 'checkout' },
  annotations: {},
};

it('shows the runbook in the UI: summary, details, step-named activities, live status, search attributes', async () => {
  const runbook = compile(`
name: visible
description: |
  Check the checkout service.
  Second line of details.
inputs:
  service: { type: string, from: alert.labels.service }
steps:
  - id: first
    description: Look at the service
    uses: test.probe
    with: { name: vis-first, value: 41 }
  - id: slow
    description: Take a while
    uses: test.probe
    with: { name: vis-slow, sleepMs: 1500 }
`);
  await withWorker(async (s) => {
    const client = await testClient();
    const handle = await startRun(client, s.taskQueue, { runbook, inputs: { service: 'checkout' }, alert, startedBy: 'alice' });
    const status = await statusWhen(handle, (st) => st.current.includes('slow'), 'step slow to run');
    expect(status).toMatchObject({ runbook: 'visible', hash: runbook.hash, status: 'running', startedBy: 'alice', current: ['slow'] });
    expect(status.steps.first).toMatchObject({ status: 'succeeded', outputs: { value: 41 } });
    expect(status.steps.slow!.status).toBe('running');
    await handle.result();

    const description = await handle.describe();
    expect(await description.staticSummary()).toBe('visible: Check the checkout service.');
    expect(await description.staticDetails()).toContain('1. `first` uses test.probe — Look at the service');
    const attributes = description.typedSearchAttributes;
    expect([RUNBOOK_NAME, RUNBOOK_HASH, SERVICE, ALERT_FINGERPRINT, REMEDIATION_STATUS].map((k) => attributes.get(k))).toEqual([
      'visible',
      runbook.hash,
      'checkout',
      'fp-visibility-1',
      // How the run ended (runbookV4 on).
      'succeeded',
    ]);
    const summaries = (await historyOf(handle.workflowId)).filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.summary);
    expect(summaries).toEqual(['first: Look at the service', 'slow: Take a while']);

    // Operators find runs by search attributes (visibility is eventually consistent).
    const query = `RunbookName = "visible" AND AlertFingerprint = "fp-visibility-1" AND WorkflowId = "${handle.workflowId}"`;
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = [];
      for await (const w of client.workflow.list({ query })) found.push(w.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toEqual([handle.workflowId]);
    await expectReplays(handle, 'visibility');
  });
});

it('sets its search attributes itself when started without them (e.g. from the Web UI)', async () => {
  const runbook = compile('name: bare-start\nsteps:\n  - id: a\n    uses: test.probe\n    with: { name: bare }\n');
  await withWorker(async (s) => {
    const client = await testClient();
    const input: RunInput = { runbook, inputs: {}, alert, startedBy: 'web-ui' };
    const handle = await client.workflow.start(RUNBOOK_WORKFLOW_TYPE, { taskQueue: s.taskQueue, workflowId: `bare-${randomUUID()}`, args: [input] });
    await handle.result();
    const attributes = (await handle.describe()).typedSearchAttributes;
    expect([RUNBOOK_NAME, RUNBOOK_HASH, ALERT_FINGERPRINT, REMEDIATION_STATUS].map((k) => attributes.get(k))).toEqual([
      'bare-start',
      runbook.hash,
      'fp-visibility-1',
      'succeeded',
    ]);
  });
});

it('continues as new during a long poll and keeps its state', async () => {
  const runbook = compile(`
name: long-poll
steps:
  - id: before
    uses: test.probe
    with: { name: can-before, value: kept }
  - id: waiting
    uses: test.probe
    with: { name: can-poll }
    until: \${{ result.calls >= 12 }}
    every: 50ms
    maxPolls: 50
  - id: after
    uses: test.probe
    with: { name: can-after, value: '\${{ steps.before.outputs.value }}/\${{ steps.waiting.outputs.calls }}' }
outputs:
  seen: \${{ steps.after.outputs.value }}
`);
  await withWorker(async (s) => {
    const client = await testClient();
    const handle = await startRun(client, s.taskQueue, { runbook, inputs: {}, startedBy: 'test', options: { continueAsNewAfterEvents: 40 } });
    const result = await handle.result().catch((e: { cause?: Error }) => {
      throw new Error(`run failed: ${e.cause?.message}`);
    });
    expect(result.outputs).toEqual({ seen: 'kept/12' });
    const first = await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    const latest = await handle.describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    expect(latest.historyLength).toBeLessThan(80);
  });
});
