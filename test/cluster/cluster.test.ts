// The production topology on real processes (`npm run cluster`): PostgreSQL, the Temporal
// server's four services built from the Go module proxy at docker-compose.yml's version, two
// worker processes and two receivers. Runs spread over both workers and survive one being
// SIGKILLed; one alert through both receivers (directly, and from a real Alertmanager sending to
// both) is one remediation; a server restart mid-approval loses nothing; fleet guards hold across
// the workers; `runbook replay` and `runbook report` read the cluster's histories.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startCluster, type Cluster } from '../../cluster/cluster';
import { freePorts } from '../../drill/ports';
import { ActionLog } from '../helpers/action-log';
import { startAlertmanager } from '../helpers/alertmanager';
import { runCli } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { TEST_PEOPLE } from '../helpers/temporal';

const TOKEN = 'cluster-test-token-0123456789';

const dir = mkdtempSync(path.join(tmpdir(), 'runbook-cluster-'));
// PostgreSQL runs as the postgres user when the tests run as root: it must reach its folder.
chmodSync(dir, 0o755);
const guardLog = new ActionLog();
const alertFile = path.join(dir, 'alerts.txt');

const STEPS = `
name: cluster-steps
inputs:
  out: { type: string }
  sleep: { type: string, default: '0' }
steps:
  - id: one
    uses: shell
    with: { command: [sh, -c, 'echo "one $PPID" >> "$1"', sh, '\${{ inputs.out }}'] }
  - id: two
    uses: shell
    timeout: 8s
    retry: { maxAttempts: 3, initialInterval: 1s }
    with: { command: [sh, -c, 'echo "two-start $PPID" >> "$1"; sleep "$2"; echo "two-done $PPID" >> "$1"', sh, '\${{ inputs.out }}', '\${{ inputs.sleep }}'] }
  - id: three
    uses: shell
    with: { command: [sh, -c, 'echo "three $PPID" >> "$1"', sh, '\${{ inputs.out }}'] }
`;

const ALERTED = `
name: cluster-alert
triggers:
  - source: alertmanager
    match: { alertname: ClusterAlert }
inputs:
  service: { type: string, pattern: '^[a-z0-9-]+$', from: alert.labels.service }
steps:
  - id: note
    uses: shell
    with: { command: [sh, -c, 'echo "$1" >> "$2"', sh, '\${{ inputs.service }}', '${alertFile}'] }
`;

const APPROVAL = `
name: cluster-approval
inputs:
  out: { type: string }
steps:
  - id: before
    uses: shell
    with: { command: [sh, -c, 'echo before >> "$1"', sh, '\${{ inputs.out }}'] }
  - id: gate
    approve: { approvers: [alice], timeout: 10m }
  - id: after
    uses: shell
    with: { command: [sh, -c, 'echo after >> "$1"', sh, '\${{ inputs.out }}'] }
`;

const GUARDED = `
name: cluster-guarded
inputs:
  who: { type: string }
steps:
  - id: write
    uses: shell
    timeout: 30s
    guard: { key: cluster-db, limit: 1 }
    with: { command: [sh, -c, 'echo "start $1 $(date +%s%3N) $PPID" >> "$2"; sleep 1; echo "end $1 $(date +%s%3N) $PPID" >> "$2"', sh, '\${{ inputs.who }}', '${guardLog.file}'] }
`;

let cluster: Cluster;
let client: Client;
let receiverUrls: string[];
const env = () => ({ TEMPORAL_ADDRESS: cluster.address, TEMPORAL_NAMESPACE: cluster.namespace, RUNBOOK_TASK_QUEUE: cluster.taskQueue });

beforeAll(async () => {
  const runbooks = path.join(dir, 'runbooks');
  mkdirSync(runbooks);
  for (const [name, text] of Object.entries({ STEPS, ALERTED, APPROVAL, GUARDED })) writeFileSync(path.join(runbooks, `${name.toLowerCase()}.yaml`), text);
  const [frontendPort, uiPort, ...receiverPorts] = await freePorts(4);
  const output: string[] = [];
  try {
    cluster = await startCluster({
      dir,
      frontendPort: frontendPort!,
      uiPort: uiPort!,
      receiverPorts,
      workerMetrics: false,
      runbookDirs: [runbooks],
      env: {
        RUNBOOK_PEOPLE_FILE: TEST_PEOPLE,
        ALERTMANAGER_TOKENS: TOKEN,
        RUNBOOK_WORKFLOW_BUNDLE: process.env.RUNBOOK_TEST_WORKFLOW_BUNDLE,
      },
      print: (line) => output.push(line),
      quiet: true,
    });
  } catch (err) {
    throw new Error(`the cluster did not start: ${(err as Error).message}\n${output.join('\n')}`, { cause: err });
  }
  receiverUrls = cluster.receivers.map((r) => `${r.url!}/alerts/alertmanager`);
  client = new Client({ connection: await Connection.connect({ address: cluster.address }), namespace: cluster.namespace });
}, 1_800_000);

let clientClosed = false;
async function closeClient(): Promise<void> {
  if (clientClosed || !client) return;
  clientClosed = true;
  await client.connection.close();
}

afterAll(async () => {
  await closeClient();
  await cluster?.stop();
});

const PROCESSES = [
  'postgresql',
  'temporal-history',
  'temporal-matching',
  'temporal-frontend',
  'temporal-worker',
  'temporal-ui',
  'worker-1',
  'worker-2',
  'receiver-1',
  'receiver-2',
];

function start(runbook: string, inputs: Record<string, string>) {
  return runCli(
    ['run', path.join(dir, 'runbooks', `${runbook}.yaml`), ...Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]), '--no-wait'],
    env(),
  );
}

/** The workflow id `runbook run --no-wait` printed. */
function startedId(stdout: string): string {
  const id = /started \S+ \(\w+\) as (\S+)/.exec(stdout)?.[1];
  if (!id) throw new Error(`no run started:\n${stdout}`);
  return id;
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** Which worker a process id is. */
function workerOf(pid: string): string {
  const worker = cluster.workers.find((w) => String(cluster.pid(w.name)) === pid);
  if (!worker) throw new Error(`process ${pid} is none of the running workers`);
  return worker.name;
}

const runIds: string[] = [];

it('spreads runs over both workers, and a SIGKILLed worker leaves its run to the other without repeating completed steps', async () => {
  const outs = Array.from({ length: 16 }, (_, i) => path.join(dir, `spread-${i}.txt`));
  const started = await Promise.all(outs.map((out) => start('steps', { out })));
  for (const r of started) runIds.push(startedId(r.stdout));
  await Promise.all(runIds.map((id) => client.workflow.getHandle(id).result()));
  const share: Record<string, number> = {};
  for (const out of outs) for (const line of lines(out)) share[workerOf(line.split(' ')[1]!)] = (share[workerOf(line.split(' ')[1]!)] ?? 0) + 1;
  console.log(`cluster: steps of 16 runs per worker: ${JSON.stringify(share)}`);
  expect(Object.keys(share).sort()).toEqual(['worker-1', 'worker-2']);
  // The Web UI lists them, from the cluster.
  const listed = (await (
    await fetch(`${cluster.uiUrl}/api/v1/namespaces/${cluster.namespace}/workflows?query=${encodeURIComponent('RunbookName = "cluster-steps"')}`)
  ).json()) as {
    executions?: unknown[];
  };
  expect(listed.executions).toHaveLength(16);
  // one, two-start, two-done and three of each run.
  expect(Object.values(share).reduce((a, b) => a + b, 0)).toBe(64);

  const out = path.join(dir, 'crash.txt');
  const id = startedId((await start('steps', { out, sleep: '3' })).stdout);
  runIds.push(id);
  const first = await eventually(() => lines(out).find((l) => l.startsWith('two-start')), 'step two to start', 30_000);
  const victim = workerOf(first.split(' ')[1]!);
  await cluster.kill(victim);
  const result = (await client.workflow.getHandle(id).result()) as { status: string };
  expect(result.status).toBe('succeeded');
  // The killed attempt's command runs on in its own process group and finishes.
  await eventually(() => lines(out).filter((l) => l.startsWith('two-done')).length === 2, 'the orphaned attempt to finish', 15_000);
  const byStep = lines(out).map((l) => l.split(' ')[0]);
  expect(byStep.filter((s) => s === 'one')).toHaveLength(1);
  expect(byStep.filter((s) => s === 'three')).toHaveLength(1);
  const starts = lines(out).filter((l) => l.startsWith('two-start'));
  expect(starts).toHaveLength(2);
  const survivor = cluster.workers.find((w) => w.name !== victim)!.name;
  expect(lines(out).find((l) => l.startsWith('three'))).toBe(`three ${cluster.pid(survivor)}`);
  await cluster.restart(victim);
}, 180_000);

async function receiverCounter(url: string, outcome: string): Promise<number> {
  const text = await (await fetch(url.replace(/\/alerts\/alertmanager$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`runbook_receiver_remediations_total{runbook="cluster-alert",outcome="${outcome}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

function alertPayload(service: string): string {
  return JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'runbooks',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'ClusterAlert', service },
        annotations: {},
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: `cluster-${service}`,
      },
    ],
  });
}

async function remediations(service: string): Promise<number> {
  return (await client.workflow.count(`RunbookName = "cluster-alert" AND Service = "${service}"`)).count;
}

it('starts one remediation for the same alert through both receivers at once, and through an Alertmanager that sends to both', async () => {
  const body = alertPayload('both-at-once');
  const replies = await Promise.all(
    receiverUrls.map((url) => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body })),
  );
  const outcomes = await Promise.all(
    replies.map(async (r) => ((await r.json()) as { results: Array<{ runbooks: Array<{ outcome: string }> }> }).results[0]!.runbooks[0]!.outcome),
  );
  expect(outcomes.sort()).toEqual(['duplicate', 'started']);
  await eventually(async () => (await remediations('both-at-once')) === 1, 'the remediation to be visible', 20_000);

  const am = await startAlertmanager({ receivers: receiverUrls, token: TOKEN });
  try {
    const amUrl = am.url;
    const before = await Promise.all(receiverUrls.map((url) => receiverCounter(url, 'duplicate')));
    const posted = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'ClusterAlert', service: 'via-alertmanager' } }]),
    });
    expect(posted.ok).toBe(true);
    // Both receivers heard it, and again on each repeat: every delivery after the first is a duplicate.
    await eventually(
      async () => (await Promise.all(receiverUrls.map((url, i) => receiverCounter(url, 'duplicate').then((n) => n - before[i]! >= 2)))).every(Boolean),
      'both receivers to get the alert repeatedly',
      30_000,
      250,
    );
  } finally {
    am.stop();
  }
  expect(await remediations('via-alertmanager')).toBe(1);
  expect(lines(alertFile).sort()).toEqual(['both-at-once', 'via-alertmanager']);
}, 120_000);

it('survives a Temporal server restart mid-approval: the approval after it completes the run, and the history before it is intact', async () => {
  const out = path.join(dir, 'approval.txt');
  const id = startedId((await start('approval', { out })).stdout);
  runIds.push(id);
  await eventually(
    async () => (await client.workflow.getHandle(id).describe()).searchAttributes?.RemediationStatus?.[0] === 'awaiting-approval',
    'the approval to wait',
    30_000,
    250,
  );
  const before = await client.workflow.getHandle(id).fetchHistory();

  await cluster.restartTemporal();

  const approved = await runCli(['approve', id, '--step', 'gate', '--as', 'alice'], env());
  expect(approved.stderr).toBe('');
  expect(approved.code).toBe(0);
  const result = (await client.workflow.getHandle(id).result()) as { status: string };
  expect(result.status).toBe('succeeded');
  expect(lines(out)).toEqual(['before', 'after']);
  const after = await client.workflow.getHandle(id).fetchHistory();
  const kept = (after.events ?? []).slice(0, before.events!.length).map((e) => [String(e.eventId), e.eventType]);
  expect(kept).toEqual(before.events!.map((e) => [String(e.eventId), e.eventType]));
}, 180_000);

it('holds a fleet guard across both workers', async () => {
  // Waves of three writers on one key (limit 1) until both workers have run some of them.
  for (let wave = 0; wave < 5; wave++) {
    const ids = await Promise.all(['a', 'b', 'c'].map(async (who) => startedId((await start('guarded', { who: `${who}${wave}` })).stdout)));
    runIds.push(...ids);
    await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
    const pids = new Set(
      readFileSync(guardLog.file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[3]),
    );
    if (pids.size === 2) break;
  }
  const writers = new Set(
    readFileSync(guardLog.file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => workerOf(l.split(' ')[3]!)),
  );
  expect([...writers].sort()).toEqual(['worker-1', 'worker-2']);
  expect(guardLog.peak()).toBe(1);
}, 240_000);

it('replays and reports the histories the cluster recorded', async () => {
  const query = 'RunbookName = "cluster-steps" OR RunbookName = "cluster-approval"';
  // The 17 runs of the first test and the approval, once visibility has them all.
  await eventually(async () => (await client.workflow.count(query)).count === 18, 'visibility to list the 18 runs', 20_000, 250);
  const replayed = await runCli(['replay', '--query', query], env());
  expect(replayed.code).toBe(0);
  const [, replayedRuns, failed] = /(\d+) replayed, (\d+) failed/.exec(replayed.stdout) ?? [];
  expect(failed).toBe('0');
  expect(Number(replayedRuns)).toBe(18);
  const approval = runIds.find((id) => id.startsWith('cluster-approval'))!;
  const file = path.join(dir, 'report.md');
  const reported = await runCli(['report', approval, '--output', file], env());
  expect(reported.code).toBe(0);
  const report = readFileSync(file, 'utf8');
  expect(report).toContain('alice approved');
  for (const step of ['before', 'gate', 'after']) expect(report).toContain(`\`${step}\``);
}, 120_000);

it('stops every process it started, and PostgreSQL cleanly', async () => {
  const pids = PROCESSES.map((name) => [name, cluster.pid(name)] as const);
  expect(pids.filter(([, pid]) => pid === undefined)).toEqual([]);
  await closeClient();
  await cluster.stop();
  expect(pids.filter(([, pid]) => existsSync(`/proc/${pid}`)).map(([name]) => name)).toEqual([]);
  // A clean shutdown removes the lock file; a killed PostgreSQL would leave it.
  expect(existsSync(path.join(dir, 'postgresql', 'data', 'postmaster.pid'))).toBe(false);
}, 120_000);
