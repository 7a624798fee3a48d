// Issue #4: 200 runs of a 10-step runbook of no-op actions, against a hand-written workflow
// calling the same 10 activities, on the same server in the same run. Targets: wall-time
// ratio <= 1.15, and the same number of history events per run but the two the interpreter adds
// on purpose (admission, terminal status).
//   npm run bench -- interpreter
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { actionActivities } from '../activities/run-action';
import { startRun } from '../temporal/start-run';
import { fmt, median } from './stats';
import { noop } from './support/noop-action';
import { tenStepRunbook } from './support/ten-steps';
import { admitting, benchBundle, startBenchServer } from './support/server';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const BATCH = 20;
const TASK_QUEUE = 'bench-interpreter';

async function main(): Promise<void> {
  const env = await startBenchServer();
  const bundle = await benchBundle();
  const runbook = tenStepRunbook();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    activities: { ...actionActivities([noop]), ...admitting(runbook) },
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
  });
  const client = env.client;
  const variants = {
    interpreter: async () => {
      const h = await startRun(client, TASK_QUEUE, { runbook, inputs: {}, startedBy: 'bench' });
      await h.result();
      return h.workflowId;
    },
    handWritten: async () => {
      const h = await client.workflow.start('handWrittenTenSteps', { taskQueue: TASK_QUEUE, workflowId: `hand-${randomUUID()}`, args: [runbook.name] });
      await h.result();
      return h.workflowId;
    },
  };
  const wall: Record<keyof typeof variants, number[]> = { interpreter: [], handWritten: [] };
  const ids: Record<keyof typeof variants, string[]> = { interpreter: [], handWritten: [] };
  await worker.runUntil(async () => {
    // Warm-up, then batches alternating between the two, so that noise hits both alike.
    for (const run of Object.values(variants)) await Promise.all(Array.from({ length: BATCH }, run));
    for (let done = 0; done < RUNS; done += BATCH) {
      for (const [name, run] of Object.entries(variants) as Array<[keyof typeof variants, () => Promise<string>]>) {
        const started = performance.now();
        ids[name].push(...(await Promise.all(Array.from({ length: BATCH }, run))));
        wall[name].push(performance.now() - started);
      }
    }
  });
  const events = async (id: string) => (await client.workflow.getHandle(id).describe()).historyLength;
  const eventCounts = {
    interpreter: new Set(await Promise.all(ids.interpreter.map(events))),
    handWritten: new Set(await Promise.all(ids.handWritten.map(events))),
  };
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const ratio = total(wall.interpreter) / total(wall.handWritten);
  // The interpreter's extra events: admission's local-activity marker (docs/security.md) and the
  // terminal RemediationStatus upsert (runbookV4; docs/operations.md, "Finding runs").
  const expectedExtra = 2;
  const sameEvents =
    eventCounts.interpreter.size === 1 &&
    eventCounts.handWritten.size === 1 &&
    [...eventCounts.interpreter][0] === [...eventCounts.handWritten][0]! + expectedExtra;
  console.log(`interpreter: ${RUNS} runs of a 10-step no-op runbook each, batches of ${BATCH} concurrent runs`);
  console.log(
    `  hand-written workflow   ${fmt(total(wall.handWritten) / 1000, 2)} s total, ${fmt(median(wall.handWritten) / BATCH, 1)} ms per run (median batch)`,
  );
  console.log(
    `  interpreter             ${fmt(total(wall.interpreter) / 1000, 2)} s total, ${fmt(median(wall.interpreter) / BATCH, 1)} ms per run (median batch)`,
  );
  console.log(`  wall-time ratio         ${fmt(ratio, 3)} (target <= 1.15) ${ratio <= 1.15 ? 'PASS' : 'FAIL'}`);
  console.log(
    `  history events per run  interpreter ${[...eventCounts.interpreter].join('/')}, hand-written ${[...eventCounts.handWritten].join('/')} ${sameEvents ? `PASS (+${expectedExtra}: the admission marker, the terminal RemediationStatus)` : `FAIL (expected hand-written +${expectedExtra})`}`,
  );
  await env.teardown();
  process.exitCode = ratio <= 1.15 && sameEvents ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
