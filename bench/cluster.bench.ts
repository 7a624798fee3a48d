// Issue #21: the interpreter's workload (200 runs of a 10-step no-op runbook, batches of 20) and
// the receiver's burst (1,000 alerts, 20% repeats, 20 senders) on the PostgreSQL cluster with one
// and with two worker processes, against the dev server (SQLite file) with one, in one run.
// The workers are processes of their own in every case; the receiver runs in this process and
// the senders in another, as in the receiver bench. Exits non-zero if any alert started other
// than exactly one run or any run failed; the speed figures are reported, not judged (what they
// can and cannot predict: bench/README.md).
//   npm run bench -- cluster
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startCluster } from '../cluster/cluster';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';
import { freePorts } from '../drill/ports';
import { findTemporalBinary } from '../temporal/binary';
import { startRun } from '../temporal/start-run';
import { fmt, percentile } from './stats';
import { ALERT_RUNBOOK } from './support/bench-worker';
import { alertRunbook, burst } from './support/burst';
import { alertmanagerPayload, BENCH_TOKEN, benchReceiver } from './support/receiver';
import { alertSender } from './support/senders';
import { benchBundle } from './support/server';
import { tenStepRunbook } from './support/ten-steps';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const BATCH = 20;
const ALERTS = Number(process.env.BENCH_ALERTS ?? 1000);
const CONCURRENCY = 20;
const TASK_QUEUE = 'bench-cluster';

interface Figures {
  label: string;
  runsPerSecond: number;
  msPerRun: number;
  alertsPerSecond: number;
  ackP50: number;
  ackP99: number;
  exactlyOne: boolean;
  failedRuns: number;
}

function startBenchWorker(address: string, bundle: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, 'support', 'bench-worker.js')], {
    env: { ...process.env, TEMPORAL_ADDRESS: address, BENCH_TASK_QUEUE: TASK_QUEUE, BENCH_BUNDLE: bundle },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`a bench worker exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => line === 'bench worker ready' && resolve(child));
  });
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => new Promise<void>((resolve) => (w.once('exit', () => resolve()), w.kill('SIGTERM')))));
}

/** Runs until `fn` is true, for visibility, which is eventually consistent. */
async function settle(fn: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function measure(label: string, client: Client, address: string, workerCount: number, bundle: string): Promise<Figures> {
  const workers = await Promise.all(Array.from({ length: workerCount }, () => startBenchWorker(address, bundle)));
  try {
    // The interpreter's workload: a warm-up batch, then RUNS runs in batches of BATCH.
    const runbook = tenStepRunbook();
    const runOne = async () => {
      const h = await startRun(client, TASK_QUEUE, { runbook, inputs: {}, startedBy: 'bench' });
      await h.result();
    };
    await Promise.all(Array.from({ length: BATCH }, runOne));
    const started = performance.now();
    for (let done = 0; done < RUNS; done += BATCH) await Promise.all(Array.from({ length: BATCH }, runOne));
    const interpreterMs = performance.now() - started;

    // The receiver's burst, fingerprints unique to this configuration.
    const receiver = await benchReceiver(client, TASK_QUEUE, [alertRunbook(ALERT_RUNBOOK)], 4_000);
    const sender = alertSender(receiver.url, BENCH_TOKEN, CONCURRENCY);
    const tag = (a: ReturnType<typeof burst>[number], prefix: string) => ({
      ...a,
      labels: { ...a.labels, alertname: ALERT_RUNBOOK },
      fingerprint: `${prefix}-${a.fingerprint}`,
    });
    await sender.send(burst('warm', 100).map((a) => alertmanagerPayload(tag(a, `${label}-warm`))));
    const alerts = burst('burst', ALERTS).map((a) => tag(a, label));
    const round = await sender.send(alerts.map(alertmanagerPayload));
    sender.close();
    await receiver.close();
    const distinct = new Set(alerts.map((a) => a.fingerprint)).size;
    const query = `RunbookName = "${ALERT_RUNBOOK}" AND AlertFingerprint STARTS_WITH "${label}-burst"`;
    let runs = 0;
    await settle(async () => (runs = (await client.workflow.count(query)).count) >= distinct, 'the burst to be visible').catch(() => undefined);
    // Let every run finish before the next configuration, and count those that failed.
    await settle(async () => (await client.workflow.count(`${query} AND ExecutionStatus = "Running"`)).count === 0, 'the burst to finish');
    const failedRuns = (
      await client.workflow.count(`RunbookName IN ("ten-steps", "${ALERT_RUNBOOK}") AND ExecutionStatus != "Completed" AND ExecutionStatus != "Running"`)
    ).count;
    return {
      label,
      runsPerSecond: (RUNS / interpreterMs) * 1000,
      msPerRun: interpreterMs / RUNS,
      alertsPerSecond: (ALERTS / round.elapsedMs) * 1000,
      ackP50: percentile(round.latencies, 50),
      ackP99: percentile(round.latencies, 99),
      exactlyOne: runs === distinct && round.outcomes.started === distinct && round.outcomes.duplicate === ALERTS - distinct,
      failedRuns,
    };
  } finally {
    await stopWorkers(workers);
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-cluster-'));
  chmodSync(dir, 0o755);
  const bundle = path.join(dir, 'workflows.js');
  writeFileSync(bundle, (await benchBundle()).code);
  const figures: Figures[] = [];

  const dev = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: findTemporalBinary() },
      ip: '127.0.0.1',
      dbFilename: path.join(dir, 'dev-server.db'),
      searchAttributes: SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
    },
  });
  try {
    figures.push(await measure('dev-1w', dev.client, dev.connection.options.address, 1, bundle));
  } finally {
    await dev.teardown();
  }

  const [frontendPort, uiPort] = await freePorts(2);
  const cluster = await startCluster({
    dir,
    frontendPort: frontendPort!,
    uiPort: uiPort!,
    receiverPorts: [],
    workers: 0,
    workerMetrics: false,
    runbookDirs: [],
    print: () => undefined,
    quiet: true,
  });
  const client = new Client({ connection: await Connection.connect({ address: cluster.address }), namespace: cluster.namespace });
  try {
    figures.push(await measure('cluster-1w', client, cluster.address, 1, bundle));
    figures.push(await measure('cluster-2w', client, cluster.address, 2, bundle));
  } finally {
    await client.connection.close();
    await cluster.stop();
  }

  const [base, one, two] = figures as [Figures, Figures, Figures];
  console.log(`cluster: ${RUNS} runs of a 10-step no-op runbook (batches of ${BATCH}), then ${ALERTS} alerts (20% repeats, ${CONCURRENCY} senders)`);
  console.log(`  ${'configuration'.padEnd(34)} runs/s   ms/run   alerts/s  ack p50  ack p99  one run per alert`);
  const names: Record<string, string> = {
    'dev-1w': 'dev server (SQLite file), 1 worker',
    'cluster-1w': 'cluster (PostgreSQL), 1 worker',
    'cluster-2w': 'cluster (PostgreSQL), 2 workers',
  };
  for (const f of figures)
    console.log(
      `  ${names[f.label]!.padEnd(34)} ${fmt(f.runsPerSecond, 1).padStart(6)} ${fmt(f.msPerRun, 1).padStart(8)} ${fmt(f.alertsPerSecond, 0).padStart(10)} ${fmt(f.ackP50, 1).padStart(8)} ${fmt(f.ackP99, 1).padStart(8)}  ${f.exactlyOne ? 'yes' : 'NO'}`,
    );
  console.log(`  interpreter throughput, cluster 1 worker / dev server    ${fmt(one.runsPerSecond / base.runsPerSecond, 2)}`);
  console.log(`  interpreter throughput, cluster 2 workers / dev server   ${fmt(two.runsPerSecond / base.runsPerSecond, 2)}`);
  console.log(`  interpreter throughput, cluster 2 workers / 1 worker     ${fmt(two.runsPerSecond / one.runsPerSecond, 2)}`);
  console.log(`  receiver throughput, cluster 1 worker / dev server       ${fmt(one.alertsPerSecond / base.alertsPerSecond, 2)}`);
  console.log(`  receiver throughput, cluster 2 workers / dev server      ${fmt(two.alertsPerSecond / base.alertsPerSecond, 2)}`);
  const failed = figures.reduce((n, f) => n + f.failedRuns, 0);
  const ok = figures.every((f) => f.exactlyOne) && failed === 0;
  console.log(
    `  correctness                                              ${ok ? 'PASS' : 'FAIL'} (one run per distinct alert everywhere; ${failed} runs failed)`,
  );
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
