// People's and workers' requests to the fleet governor (pause, resume, the fleet policy) on the
// real dev server. They are signals read back by name: the updates they were replayed in another
// order than they ran when one reached the governor in the same workflow task as guard signals
// (soak/findings/), and the governor failed every task after. Histories from before still replay.
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { ensureGovernor } from '../../activities/governor/activities';
import { askGovernor, installFleetPolicy } from '../../activities/governor/requests';
import { readHistoryFile } from '../../cli/histories';
import { acquireSignal, governorId, guardsQuery, pauseSignal, policySignal, requestQuery, type FleetPolicy, type GuardRequest } from '../../contract/guards';
import { eventually } from '../helpers/eventually';
import { closeTestClient, quietRuntime, settings, startWorker, testClient, TEST_FLEET_POLICY } from '../helpers/temporal';

afterAll(closeTestClient);

const replay = (history: temporal.api.history.v1.IHistory, workflowId: string, name: string) => {
  quietRuntime();
  return Worker.runReplayHistory({ workflowBundle: { codePath: process.env.RUNBOOK_TEST_WORKFLOW_BUNDLE! }, replayName: name }, history, workflowId);
};

const request = (n: number): GuardRequest => ({
  id: `req-${n}`,
  run: `gone-${n}`,
  runId: `r-${n}`,
  runbook: 'storm',
  step: 'write',
  uses: 'shell',
  labels: {},
  claims: [{ key: 'svc', limit: 1, scope: 'step' }],
  onBusy: 'queue',
  onMaxWait: 'fail',
  onPaused: 'wait',
});

it('replays a governor history from before requests were signals (the policy, a pause and a resume as updates)', async () => {
  const { workflowId, history } = readHistoryFile(path.join(__dirname, '..', 'replay', 'governor', 'updates-before-signals.json'));
  expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length).toBe(4);
  await replay(history, workflowId, 'updates-before-signals');
});

it('a restarted worker installs its policy in the same workflow task as waiting guard signals, and the governor replays', async () => {
  const s = settings();
  const client = await testClient();
  const stopFirst = await startWorker(s);
  await ensureGovernor(client, s.taskQueue, TEST_FLEET_POLICY);
  const governor = client.workflow.getHandle(governorId(s.taskQueue));
  await governor.query(guardsQuery);
  await stopFirst();
  // No worker: a storm's requests and the next worker's policy wait for the same workflow task.
  for (let n = 0; n < 4; n++) await governor.signal(acquireSignal, request(n));
  const policy: FleetPolicy = { ...TEST_FLEET_POLICY, budgets: [{ name: 'writes', match: {}, limit: 2, perMs: 60_000, onExceeded: 'queue' }] };
  const installing = installFleetPolicy(client, s.taskQueue, policy, () => undefined);
  await eventually(
    async () => (await governor.fetchHistory()).events!.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === policySignal.name),
    'the policy to be signalled',
  );
  const stopSecond = await startWorker(s);
  try {
    await installing;
    expect((await governor.query(guardsQuery)).policy).toEqual(policy);
    // Verdicts went out to the storm's runs (they do not exist) in the task that took the policy.
    const history = await governor.fetchHistory();
    expect(sameTask(history, ['guardAcquire', policySignal.name])).toBe(true);
    expect(history.events!.some((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toBe(true);
    await replay(history, governor.workflowId, 'policy-with-storm');
  } finally {
    await stopSecond();
  }
});

/** Whether signals of all these names arrived between the same two workflow tasks. */
function sameTask(history: temporal.api.history.v1.IHistory, names: string[]): boolean {
  let batch = new Set<string>();
  for (const e of history.events!) {
    const name = e.workflowExecutionSignaledEventAttributes?.signalName;
    if (name) batch.add(name);
    if (e.workflowTaskStartedEventAttributes) {
      if (names.every((n) => batch.has(n))) return true;
      batch = new Set();
    }
  }
  return false;
}

describe('messages from anyone who can reach Temporal', () => {
  let s: ReturnType<typeof settings>;
  let client: Client;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    s = settings();
    client = await testClient();
    stop = await startWorker(s);
  });
  afterAll(() => stop());

  it('refuses a malformed policy with the reason, and drops requests without a usable name', async () => {
    await expect(askGovernor(client, s.taskQueue, policySignal, { policy: { budgets: 'all' } as never }, { policy: TEST_FLEET_POLICY })).rejects.toThrow(
      /fleet policy refused/,
    );
    await expect(
      askGovernor(client, s.taskQueue, policySignal, { policy: TEST_FLEET_POLICY, extra: 1 } as never, { policy: TEST_FLEET_POLICY }),
    ).rejects.toThrow(/send \{ policy \}/);
    const governor = client.workflow.getHandle(governorId(s.taskQueue));
    for (const bad of [null, 'pause', { by: 'mallory', reason: 'no name' }, { by: 'mallory', reason: 'x', request: 'has space' }, { request: 'x'.repeat(101) }])
      await governor.signal(pauseSignal, bad as never);
    // A request sent twice (a client retrying) is taken once; the name is read back.
    await governor.signal(pauseSignal, { by: 'alice', reason: 'first', request: 'twice' });
    await governor.signal(pauseSignal, { by: 'alice', reason: 'second', request: 'twice' });
    const settled = await eventually(() => governor.query(requestQuery, 'twice'), 'the pause to be taken');
    expect(settled).toMatchObject({ request: 'twice', paused: { by: 'alice', reason: 'first', source: 'person' } });
    const view = await governor.query(guardsQuery);
    expect(view.pauses.map((p) => p.reason)).toEqual(['first']);
    expect(view.policy).toEqual(TEST_FLEET_POLICY);
    expect(await governor.query(requestQuery, 'never-sent')).toBeNull();
  });
});
