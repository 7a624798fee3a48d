// A fleet governor whose history stops replaying (the chaos soak found the SDK grouping a task's
// signals differently live than on replay) answers nothing, and every write of its fleet waits.
// The worker's doctor starts it over from its first task, every signal since applied again.
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ensureGovernor } from '../../activities/governor/activities';
import { healGovernor } from '../../activities/governor/doctor';
import { governorId, guardsQuery, pauseSignal, releaseSignal, requestQuery } from '../../contract/guards';
import { bundleWorkflows } from '../../temporal/bundle';
import { eventually } from '../helpers/eventually';
import { closeTestClient, quietRuntime, settings, startWorker, testClient, TEST_FLEET_POLICY } from '../helpers/temporal';

afterAll(closeTestClient);

/** Runs the stand-in governor code on the queue while `fn` runs: its history and the real code's then disagree. */
async function withStandIn<T>(s: ReturnType<typeof settings>, fn: () => Promise<T>): Promise<T> {
  const connection = await NativeConnection.connect(s.connection);
  const other = await Worker.create({
    connection,
    taskQueue: s.taskQueue,
    workflowBundle: await bundleWorkflows(path.join(__dirname, '..', 'fixtures', 'workflows', 'wedged-governor.ts')),
    maxCachedWorkflows: 0,
  });
  try {
    return await other.runUntil(fn);
  } finally {
    await connection.close();
  }
}

const healedOnce = (client: Awaited<ReturnType<typeof testClient>>, fleet: string) =>
  eventually(() => healGovernor(client, fleet), 'the governor to be found wedged and reset', 60_000, 1_000);

it('starts a governor that cannot replay over from its first task, and loses no request sent to it', async () => {
  quietRuntime();
  const s = settings();
  const client = await testClient();
  const governor = client.workflow.getHandle(governorId(s.taskQueue));
  // Signals that came before any worker ran it: its first completed task comes after them (a
  // governor reset before starts so, with its signals applied again; the soak reset one twice).
  await ensureGovernor(client, s.taskQueue, TEST_FLEET_POLICY);
  for (let n = 0; n < 30; n++) await governor.signal(releaseSignal, { run: `nobody-${n}` });
  // Another code wrote the governor's first tasks...
  await withStandIn(s, async () => {
    await eventually(async () => (await governor.fetchHistory()).events!.some((e) => e.timerFiredEventAttributes), 'the stand-in to run');
  });
  // ...and a pause arrives before the real code runs it.
  await governor.signal(pauseSignal, { by: 'alice', reason: 'sent while wedged', request: 'while-wedged' });
  expect(await healGovernor(client, s.taskQueue)).toBeUndefined();
  const stop = await startWorker(s);
  try {
    const healed = await healedOnce(client, s.taskQueue);
    expect(healed.failure).toMatch(/Nondeterminism/);
    // The reset governor runs the real code, took the pause, and answers.
    expect(await eventually(() => governor.query(requestQuery, 'while-wedged'), 'the pause to be taken again', 30_000)).toMatchObject({
      paused: { by: 'alice', reason: 'sent while wedged' },
    });
    expect((await governor.query(guardsQuery)).pauses.map((p) => p.reason)).toEqual(['sent while wedged']);
    expect((await governor.describe()).runId).toBe(healed.runId);
    // A healthy governor is left alone.
    expect(await healGovernor(client, s.taskQueue)).toBeUndefined();
  } finally {
    await stop();
  }
});
