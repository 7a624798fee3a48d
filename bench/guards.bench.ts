// Issue #14: what the fleet guards cost, on one dev server in one run.
//   1. A guarded write step against the same step marked `readOnly` (no guard), run after run,
//      interleaved: the per-run overhead, median and p99.
//   2. A storm: 1,000 alerts for one service whose write step is limited to 10 at once, sent
//      through the receiver while a worker drains them, against the same 1,000 started directly
//      with client.workflow.start: time to drain each, and the ingest ratio during the storm.
//   npm run bench -- guards
import { Worker } from '@temporalio/worker';
import { governorActivities } from '../activities/governor/activities';
import { actionActivities } from '../activities/run-action';
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';
import { startRun } from '../temporal/start-run';
import { remediationId } from '../triggers/start-remediation';
import { fmt, median, percentile } from './stats';
import { noop, noopWrite } from './support/noop-action';
import { alertmanagerPayload, BENCH_TOKEN, benchReceiver, pool } from './support/receiver';
import { alertSender } from './support/senders';
import { admitting, benchBundle, compileBench, startBenchServer } from './support/server';

const RUNS = Number(process.env.BENCH_GUARD_RUNS ?? 200);
const STORM = Number(process.env.BENCH_STORM ?? 1000);
const SENDERS = 20;
const TASK_QUEUE = 'bench-guards';
const step = (extra: string) => `steps:\n  - id: write\n    uses: bench.noop-write\n${extra}    with: { n: 1 }\n`;
const guarded = compileBench(`name: bench-guarded\n${step("    guard: { key: 'bench-one', limit: 1 }\n")}`);
const unguarded = compileBench(`name: bench-unguarded\n${step('    readOnly: the baseline, without a guard\n')}`);
const storm = (name: string) =>
  compileBench(
    `name: ${name}\ntriggers:\n  - source: alertmanager\n    match: { alertname: ${name} }\ninputs:\n  pod: { type: string, pattern: '^[a-z0-9-]+$', from: alert.labels.pod }\n` +
      step(`    guard: { key: 'storm-${name}', limit: 10 }\n`),
  );

function alerts(name: string): Alert[] {
  return Array.from({ length: STORM }, (_, i) => ({
    source: 'alertmanager',
    status: 'firing',
    fingerprint: `${name}-${i}`,
    name,
    labels: { alertname: name, pod: `pod-${i}` },
    annotations: {},
    startsAt: '2026-11-30T12:00:00Z',
  }));
}

async function main(): Promise<void> {
  const env = await startBenchServer();
  const client = env.client;
  const stormDirect = storm('storm-direct');
  const stormReceiver = storm('storm-receiver');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await benchBundle(),
    activities: {
      ...actionActivities([noop, noopWrite]),
      ...admitting(guarded, unguarded, stormDirect, stormReceiver),
      ...governorActivities({ budgets: [], watchEveryMs: 10_000 }),
    },
  });
  await worker.runUntil(async () => {
    // 1. Overhead per guarded write step.
    const samples: Record<string, number[]> = { guarded: [], unguarded: [] };
    const once = async (name: 'guarded' | 'unguarded') => {
      const started = performance.now();
      const handle = await startRun(client, TASK_QUEUE, { runbook: name === 'guarded' ? guarded : unguarded, inputs: {}, startedBy: 'bench' });
      await handle.result();
      return performance.now() - started;
    };
    for (let i = 0; i < 10; i++) await Promise.all([once('guarded'), once('unguarded')]); // warm-up
    for (let i = 0; i < RUNS; i++) {
      samples.guarded!.push(await once('guarded'));
      samples.unguarded!.push(await once('unguarded'));
    }
    const [g, u] = [samples.guarded!, samples.unguarded!];
    console.log(`guards: ${RUNS} runs of a one-step runbook each way, one at a time, interleaved`);
    console.log(`  unguarded (readOnly)   median ${fmt(median(u), 1)} ms, p99 ${fmt(percentile(u, 99), 1)} ms`);
    console.log(`  guarded (limit 1)      median ${fmt(median(g), 1)} ms, p99 ${fmt(percentile(g, 99), 1)} ms`);
    console.log(`  overhead per guarded write: median ${fmt(median(g) - median(u), 1)} ms, p99 ${fmt(percentile(g, 99) - percentile(u, 99), 1)} ms`);

    // 2. The storm: direct starts, then the receiver, each drained under a limit of 10.
    const drain = async (runbook: CompiledRunbook, ingest: (batch: Alert[]) => Promise<number>) => {
      const started = performance.now();
      const batch = alerts(runbook.name);
      const ingestMs = await ingest(batch);
      await Promise.all(batch.map((a) => client.workflow.getHandle(remediationId(runbook, a)).result()));
      return { ingestMs, drainMs: performance.now() - started };
    };
    const direct = await drain(stormDirect, async (batch) => {
      const started = performance.now();
      await pool(batch, SENDERS, async (alert) => {
        await startRun(client, TASK_QUEUE, {
          runbook: stormDirect,
          inputs: { pod: alert.labels.pod },
          alert,
          startedBy: 'alertmanager',
          workflowId: remediationId(stormDirect, alert),
          ifRunning: 'fail',
        });
      });
      return performance.now() - started;
    });
    const receiver = await benchReceiver(client, TASK_QUEUE, [stormReceiver], 10_000);
    // The senders run in a process of their own, at low priority (bench/support/senders.ts).
    const sender = alertSender(receiver.url, BENCH_TOKEN, SENDERS);
    const viaReceiver = await drain(stormReceiver, async (batch) => (await sender.send(batch.map(alertmanagerPayload))).elapsedMs);
    sender.close();
    await receiver.close();
    const ratio = direct.ingestMs / viaReceiver.ingestMs;
    console.log(`storm: ${STORM} alerts for one service, its write step limited to 10 at once, ${SENDERS} senders, a worker draining meanwhile`);
    console.log(`  direct client.workflow.start  ingest ${fmt(direct.ingestMs / 1000, 2)} s, all drained in ${fmt(direct.drainMs / 1000, 2)} s`);
    console.log(`  through the receiver          ingest ${fmt(viaReceiver.ingestMs / 1000, 2)} s, all drained in ${fmt(viaReceiver.drainMs / 1000, 2)} s`);
    console.log(`  ingest ratio during the storm ${fmt(ratio, 3)} (receiver throughput / direct)`);
  });
  await env.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
