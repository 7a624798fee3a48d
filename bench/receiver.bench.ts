// Issue #7: a burst of 1,000 alerts (20% repeats) against the receiver, against calling
// client.workflow.start directly for the same ids, on the same server in the same run.
// Targets: every distinct alert gets exactly one run; ingest throughput >= 0.95x direct starts.
// p50/p99 acknowledgement latency is reported.
//   npm run bench -- receiver
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { Alert } from '../dsl/alert';
import { startRun } from '../temporal/start-run';
import { remediationId } from '../triggers/start-remediation';
import { fmt, percentile } from './stats';
import { alertRunbook, burst } from './support/burst';
import { alertmanagerPayload, BENCH_TOKEN, benchReceiver, pool } from './support/receiver';
import { alertSender } from './support/senders';
import { startBenchServer } from './support/server';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ROUNDS = 10;
const TASK_QUEUE = 'bench-receiver';

async function main(): Promise<void> {
  const env = await startBenchServer();
  const client = env.client;
  const viaReceiver = alertRunbook('bench-receiver');
  const direct = alertRunbook('bench-direct');
  const receiver = await benchReceiver(client, TASK_QUEUE, [viaReceiver], 4_000);

  // Warm both paths up with alerts outside the measured sets.
  const sender = alertSender(receiver.url, BENCH_TOKEN, CONCURRENCY);
  const warm = burst('bench-warm', ALERTS).slice(0, 100);
  await sender.send(warm.map((a) => alertmanagerPayload({ ...a, labels: { ...a.labels, alertname: 'bench-receiver' }, fingerprint: `warm-${a.fingerprint}` })));
  await pool(warm, CONCURRENCY, async (a) => {
    await startRun(client, TASK_QUEUE, {
      runbook: direct,
      inputs: { service: a.labels.service! },
      alert: a,
      startedBy: 'bench',
      workflowId: `warm-${a.fingerprint}`,
      ifRunning: 'fail',
    }).catch(() => undefined);
  });

  // Interleaved in rounds (direct first in odd rounds, the receiver first in even ones), so that
  // a server that slows as it fills up, or machine noise, hits both alike.
  const directAlerts = burst('bench-direct', ALERTS);
  const receiverAlerts = burst('bench-receiver', ALERTS);
  let directStarted = 0;
  let directMs = 0;
  let receiverMs = 0;
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  const size = Math.ceil(ALERTS / ROUNDS);
  const directRound = async (alerts: Alert[]) => {
    const t0 = performance.now();
    await pool(alerts, CONCURRENCY, async (alert) => {
      try {
        await startRun(client, TASK_QUEUE, {
          runbook: direct,
          inputs: { service: alert.labels.service! },
          alert,
          startedBy: 'alertmanager',
          workflowId: remediationId(direct, alert),
          ifRunning: 'fail',
          reusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
        directStarted++;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    });
    directMs += performance.now() - t0;
  };
  // The senders run in a process of their own (as Alertmanager does): the receiver's process
  // does its own work only, as the direct baseline's process does.
  const receiverRound = async (alerts: Alert[]) => {
    const sent = await sender.send(alerts.map(alertmanagerPayload));
    receiverMs += sent.elapsedMs;
    latencies.push(...sent.latencies);
    for (const [k, v] of Object.entries(sent.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  };
  for (let r = 0; r < ROUNDS; r++) {
    const [d, v] = [directAlerts.slice(r * size, (r + 1) * size), receiverAlerts.slice(r * size, (r + 1) * size)];
    if (r % 2 === 0) {
      await directRound(d);
      await receiverRound(v);
    } else {
      await receiverRound(v);
      await directRound(d);
    }
  }

  sender.close();
  const distinct = new Set(receiverAlerts.map((a) => a.fingerprint)).size;
  // Visibility is eventually consistent: let the count settle before judging it.
  let runs = -1;
  for (let i = 0, last = -2; i < 50 && runs !== last; i++) {
    last = runs;
    await new Promise((r) => setTimeout(r, 300));
    runs = (await client.workflow.count('RunbookName = "bench-receiver" AND AlertFingerprint STARTS_WITH "bench-receiver-"')).count;
  }
  const ratio = directMs / receiverMs;
  console.log(`receiver: ${ALERTS} alerts (${distinct} distinct, ${ALERTS - distinct} repeats), ${CONCURRENCY} senders at once`);
  console.log(`  direct client.workflow.start   ${fmt(directMs / 1000, 2)} s (${fmt((ALERTS / directMs) * 1000, 0)} alerts/s), ${directStarted} started`);
  console.log(
    `  through the receiver           ${fmt(receiverMs / 1000, 2)} s (${fmt((ALERTS / receiverMs) * 1000, 0)} alerts/s), outcomes ${JSON.stringify(outcomes)}`,
  );
  console.log(`  throughput ratio               ${fmt(ratio, 3)} (target >= 0.95) ${ratio >= 0.95 ? 'PASS' : 'FAIL'}`);
  console.log(
    `  acknowledgement latency        p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms, max ${fmt(Math.max(...latencies), 1)} ms`,
  );
  const exact = runs === distinct && outcomes.started === distinct && outcomes.duplicate === ALERTS - distinct;
  console.log(`  runs started (visibility)      ${runs} for ${distinct} distinct alerts ${exact ? 'PASS (exactly one each)' : 'FAIL'}`);
  await receiver.close();
  await env.teardown();
  process.exitCode = ratio >= 0.95 && exact ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
