// Issue #4: the worker's memory with 1,000 runs parked on an approval (reported, no target).
//   npm run bench -- parked
import { Worker } from '@temporalio/worker';
import { auditActivities } from '../activities/humans/audit';
import { peopleActivities } from '../activities/humans/people';
import { actionActivities } from '../activities/run-action';
import { compileRunbook } from '../dsl/compile';
import { startRun } from '../temporal/start-run';
import { fmt } from './stats';
import { noop } from './support/noop-action';
import { admitting, benchBundle, startBenchServer } from './support/server';

const RUNS = Number(process.env.BENCH_PARKED ?? 1000);
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
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await benchBundle(),
    activities: { ...actionActivities([noop]), ...peopleActivities(), ...auditActivities, ...admitting(runbook) },
    ...(process.env.BENCH_MAX_CACHED && { maxCachedWorkflows: Number(process.env.BENCH_MAX_CACHED) }),
  });
  const settle = async () => {
    global.gc?.();
    await new Promise((r) => setTimeout(r, 500));
    return process.memoryUsage();
  };
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
      `parked: ${RUNS} runs waiting on an approval, worker and client in one process, maxCachedWorkflows ${process.env.BENCH_MAX_CACHED ?? 'SDK default'}`,
    );
    console.log(`  parked in ${fmt((performance.now() - started) / 1000, 1)} s`);
    console.log(
      `  RSS   before ${fmt(mib(before.rss), 1)} MiB, after ${fmt(mib(after.rss), 1)} MiB, growth ${fmt(mib(after.rss - before.rss), 1)} MiB (${fmt((after.rss - before.rss) / 1024 / RUNS, 1)} KiB per parked run)`,
    );
    console.log(`  heap  before ${fmt(mib(before.heapUsed), 1)} MiB, after ${fmt(mib(after.heapUsed), 1)} MiB`);
  });
  await env.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
