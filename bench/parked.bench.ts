// Issues #4, #14: the worker's memory with 10,000 runs parked on an approval, with the worker's
// default cache (target: under 1.5 GiB RSS for worker and client together).
//   npm run bench -- parked          (BENCH_PARKED=1000 for a quicker look)
import { Worker } from '@temporalio/worker';
import { auditActivities } from '../activities/humans/audit';
import { peopleActivities } from '../activities/humans/people';
import { actionActivities } from '../activities/run-action';
import { compileRunbook } from '../dsl/compile';
import { DEFAULT_MAX_CACHED_WORKFLOWS, DEFAULT_WORKFLOW_HEAP_MB, limitWorkflowHeap } from '../worker/create-worker';
import { startRun } from '../temporal/start-run';
import { fmt } from './stats';
import { noop } from './support/noop-action';
import { admitting, benchBundle, startBenchServer } from './support/server';

const RUNS = Number(process.env.BENCH_PARKED ?? 10_000);
const CACHED = Number(process.env.BENCH_MAX_CACHED ?? DEFAULT_MAX_CACHED_WORKFLOWS);
const TARGET_RSS = 1.5 * 2 ** 30;
const TASK_QUEUE = 'bench-parked';
const mib = (bytes: number) => bytes / 2 ** 20;

async function main(): Promise<void> {
  const env = await startBenchServer();
  const result = compileRunbook(
    'name: parked\nsteps:\n  - id: gate\n    approve: { approvers: [alice], timeout: 1d }\n  - id: act\n    uses: bench.noop\n    with: { n: 1 }\n',
    'parked.yaml',
    { catalog: new Map([[noop.name, noop]]), resolve: () => undefined },
  );
  const runbook = result.runbook!;
  limitWorkflowHeap();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await benchBundle(),
    activities: { ...actionActivities([noop]), ...peopleActivities(), ...auditActivities, ...admitting(runbook) },
    maxCachedWorkflows: CACHED,
  });
  const settle = async () => {
    global.gc?.();
    await new Promise((r) => setTimeout(r, 500));
    return process.memoryUsage();
  };
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  await worker.runUntil(async () => {
    const before = await settle();
    const started = performance.now();
    for (let i = 0; i < RUNS; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, RUNS - i) }, () => startRun(env.client, TASK_QUEUE, { runbook, inputs: {}, startedBy: 'bench' })));
    }
    const query = 'RunbookName = "parked" AND RemediationStatus = "awaiting-approval" AND ExecutionStatus = "Running"';
    let parked = 0;
    while (parked < RUNS) {
      parked = (await env.client.workflow.count(query)).count;
      if (parked < RUNS) await new Promise((r) => setTimeout(r, 500));
    }
    const after = await settle();
    console.log(
      `parked: ${RUNS} runs waiting on an approval, worker and client in one process, maxCachedWorkflows ${CACHED}, workflow heap ${process.env.RUNBOOK_WORKFLOW_HEAP_MB ?? DEFAULT_WORKFLOW_HEAP_MB} MiB`,
    );
    console.log(`  parked in ${fmt((performance.now() - started) / 1000, 1)} s`);
    console.log(
      `  RSS   before ${fmt(mib(before.rss), 1)} MiB, after ${fmt(mib(after.rss), 1)} MiB, growth ${fmt(mib(after.rss - before.rss), 1)} MiB (${fmt((after.rss - before.rss) / 1024 / RUNS, 1)} KiB per parked run)`,
    );
    console.log(`  heap  before ${fmt(mib(before.heapUsed), 1)} MiB, after ${fmt(mib(after.heapUsed), 1)} MiB`);
    console.log(`  peak RSS ${fmt(mib(peak), 1)} MiB (target under ${fmt(mib(TARGET_RSS), 0)} MiB)`);
    if (peak > TARGET_RSS) process.exitCode = 1;
  });
  clearInterval(sampler);
  await env.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
