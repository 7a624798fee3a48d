// A slot comes back however its holder's run ends: failure, cancel, terminate, reset,
// continue-as-new, a SIGKILLed worker; and guard state survives a restart of the whole stack.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { governorId, guardsQuery } from '../../contract/guards';
import { statusQuery } from '../../contract/messages';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';
import { fleetGuards, pauseFleet, resumeFleet } from '../../cli/guards';
import { findTemporalBinary } from '../../temporal/binary';
import { startRun } from '../../temporal/start-run';
import { ActionLog } from '../helpers/action-log';
import { eventually } from '../helpers/eventually';
import { statusWhen } from '../helpers/pending';
import { freePort } from '../helpers/ports';
import { closeTestClient, compile, settings, startWorker, testClient, withWorker } from '../helpers/temporal';
import { exited, startWorkerProcess } from '../helpers/worker-process';

afterAll(closeTestClient);

/** Holder A writes for `seconds` on key `key`; B (which writes at once) waits behind it. */
function holdingRunbook(log: ActionLog, key: string, seconds: number, exitCode = 0): string {
  return `
name: hold-${key}
inputs: { who: { type: string }, seconds: { type: string, default: '${seconds}' } }
steps:
  - id: write
    uses: shell
    timeout: 30s
    guard: { key: ${key}, limit: 1 }
    with: ${log.command('${{ inputs.who }}', '${{ inputs.seconds }}', exitCode)}
`;
}

async function holderAndWaiter(client: Client, taskQueue: string, runbook: ReturnType<typeof compile>, log: ActionLog) {
  const a = await startRun(client, taskQueue, { runbook, inputs: { who: 'a' }, startedBy: 'test' });
  await eventually(() => log.starts().some((e) => e.id === 'a'), 'A to hold the key and write');
  const b = await startRun(client, taskQueue, { runbook, inputs: { who: 'b', seconds: '0' }, startedBy: 'test' });
  await statusWhen(b, (st) => st.status === 'queued', 'B to queue behind A');
  return { a, b };
}

async function expectDrained(client: Client, taskQueue: string): Promise<void> {
  await eventually(async () => {
    const view = await fleetGuards(client, taskQueue);
    return view.keys.every((k) => k.holders.length === 0) && view.waiting.length === 0;
  }, 'no holder and no waiter left');
}

const bStarted = (log: ActionLog) => eventually(() => log.starts().find((e) => e.id === 'b'), 'B to get the key and write', 15_000);

it.each([
  ['fails', async (a: WorkflowHandle) => expect(a.result()).rejects.toThrow()],
  ['is cancelled', async (a: WorkflowHandle) => a.cancel()],
  ['is terminated (the watchdog notices)', async (a: WorkflowHandle) => a.terminate('test')],
])('frees the slot when its run %s', async (how, end) => {
  const log = new ActionLog();
  const fails = how === 'fails';
  // A holder that is cancelled or terminated would write for 20 s more: B starts long before.
  const runbook = compile(holdingRunbook(log, `release-${how.split(' ')[1]}`, fails ? 0.3 : 20, fails ? 1 : 0));
  await withWorker(async (s) => {
    const client = await testClient();
    const { a, b } = await holderAndWaiter(client, s.taskQueue, runbook, log);
    await end(a);
    const ended = Date.now();
    const started = await bStarted(log);
    expect(started.at - ended).toBeLessThan(5_000);
    await b.result().catch(() => undefined);
    await expectDrained(client, s.taskQueue);
  });
});

it('frees what a reset execution held: the new execution asks again, the old one’s slot is dropped', async () => {
  const log = new ActionLog();
  const runbook = compile(holdingRunbook(log, 'release-reset', 20));
  await withWorker(async (s) => {
    const client = await testClient();
    const { a, b } = await holderAndWaiter(client, s.taskQueue, runbook, log);
    const history = await a.fetchHistory();
    const firstTask = history.events!.find((e) => e.workflowTaskCompletedEventAttributes)!;
    const { runId } = await client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: a.workflowId, runId: a.firstExecutionRunId },
      reason: 'test',
      workflowTaskFinishEventId: firstTask.eventId,
      requestId: `reset-${Date.now()}`,
    });
    const governor = client.workflow.getHandle(governorId(s.taskQueue));
    await eventually(async () => {
      const key = (await governor.query(guardsQuery)).keys.find((k) => k.key === 'release-reset');
      return key?.holders.length === 1 && key.holders[0]!.runId === runId;
    }, 'the reset execution to hold the key alone (the old one dropped)');
    await client.workflow.getHandle(a.workflowId).terminate('done with the reset');
    await bStarted(log);
    await b.result();
    await expectDrained(client, s.taskQueue);
  });
});

it('keeps a run slot across continue-as-new and frees it when the run ends', async () => {
  const log = new ActionLog();
  const runbook = compile(`
name: long-holder
inputs: { who: { type: string }, polls: { type: integer, default: 0 } }
concurrency: { key: long-holder, limit: 1 }
steps:
  - id: first
    uses: shell
    with: ${log.command('${{ inputs.who }}-first', 0)}
  - id: watch
    if: \${{ inputs.polls > 0 }}
    uses: test.probe
    with: { name: 'can-watch-\${{ inputs.who }}' }
    until: \${{ result.calls >= inputs.polls }}
    every: 100ms
    maxPolls: 100
  - id: last
    uses: shell
    with: ${log.command('${{ inputs.who }}-last', 0)}
`);
  await withWorker(async (s) => {
    const client = await testClient();
    const a = await startRun(client, s.taskQueue, { runbook, inputs: { who: 'a', polls: 12 }, startedBy: 'test', options: { continueAsNewAfterEvents: 40 } });
    await eventually(() => log.starts().some((e) => e.id === 'a-first'), 'A to take the run slot');
    const b = await startRun(client, s.taskQueue, { runbook, inputs: { who: 'b' }, startedBy: 'test' });
    await a.result();
    await b.result();
    const first = await client.workflow.getHandle(a.workflowId, a.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    expect(log.starts().map((e) => e.id)).toEqual(['a-first', 'a-last', 'b-first', 'b-last']);
    await expectDrained(client, s.taskQueue);
  });
});

it('frees the slot of a run whose worker was SIGKILLed mid-write once the run ends', async () => {
  const log = new ActionLog();
  const text = holdingRunbook(log, 'release-sigkill', 2.5).replace('timeout: 30s', 'timeout: 3s');
  const runbook = compile(text);
  const policy = path.join(mkdtempSync(path.join(tmpdir(), 'fleet-')), 'fleet.yaml');
  writeFileSync(policy, 'watchEvery: 1s\n');
  const s = settings();
  const env = { RUNBOOK_FLEET_POLICY: policy };
  const first = await startWorkerProcess(s, env, [text]);
  const client = await testClient();
  let second: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
  try {
    const { a, b } = await holderAndWaiter(client, s.taskQueue, runbook, log);
    first.kill('SIGKILL');
    await exited(first);
    second = await startWorkerProcess(s, env, [text]);
    // The killed attempt cannot report: it times out, the write step fails, the run ends and frees the key.
    await expect(a.result()).rejects.toThrow();
    await bStarted(log);
    await b.result();
    await expectDrained(client, s.taskQueue);
  } finally {
    second?.kill('SIGTERM');
    if (second) await exited(second);
  }
});

it('keeps pauses and holders through a restart of the whole stack (server on its database file, worker)', async () => {
  const dbFilename = path.join(mkdtempSync(path.join(tmpdir(), 'temporal-db-')), 'temporal.db');
  const port = await freePort();
  const start = () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: findTemporalBinary() },
        ip: '127.0.0.1',
        port,
        dbFilename,
        searchAttributes: SEARCH_ATTRIBUTES,
        log: { format: 'pretty', level: 'error' },
      },
    });
  const log = new ActionLog();
  const runbook = compile(`
name: across-restart
steps:
  - id: write
    uses: shell
    with: ${log.command('after-restart', 0)}
`);
  const s = { ...settings(), connection: { address: `127.0.0.1:${port}` } };
  let env = await start();
  const clientOf = async () => new Client({ connection: await Connection.connect({ address: s.connection.address }), namespace: 'default' });
  let client = await clientOf();
  let stop = await startWorker(s);
  await pauseFleet(client, s.taskQueue, { runbook: 'across-restart' }, 'alice', 'maintenance window');
  const run = await startRun(client, s.taskQueue, { runbook, inputs: {}, startedBy: 'test' });
  await statusWhen(run, (st) => st.status === 'paused', 'the run to park on the pause');
  await stop();
  await client.connection.close();
  await env.teardown();

  env = await start();
  client = await clientOf();
  stop = await startWorker(s);
  try {
    const view = await fleetGuards(client, s.taskQueue);
    expect(view.pauses).toMatchObject([{ runbook: 'across-restart', by: 'alice', reason: 'maintenance window' }]);
    expect(view.waiting).toMatchObject([{ runbook: 'across-restart', state: 'paused' }]);
    expect((await client.workflow.getHandle(run.workflowId).query(statusQuery)).status).toBe('paused');
    expect(log.starts()).toEqual([]);
    await resumeFleet(client, s.taskQueue, { runbook: 'across-restart' }, 'alice');
    await client.workflow.getHandle(run.workflowId).result();
    expect(log.starts().map((e) => e.id)).toEqual(['after-restart']);
  } finally {
    await stop();
    await client.connection.close();
    await env.teardown();
  }
});
