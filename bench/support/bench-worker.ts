// A worker process for the cluster bench: the bench workflows (from a prebuilt bundle) and the
// no-op action, admitting the ten-step runbook and the alert runbook. SIGTERM stops it.
//   TEMPORAL_ADDRESS=... BENCH_TASK_QUEUE=... BENCH_BUNDLE=<file> node bench-worker.js
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { actionActivities } from '../../activities/run-action';
import { alertRunbook } from './burst';
import { noop } from './noop-action';
import { admitting } from './server';
import { tenStepRunbook } from './ten-steps';

export const ALERT_RUNBOOK = 'bench-alert';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.BENCH_TASK_QUEUE!,
    workflowBundle: { codePath: process.env.BENCH_BUNDLE! },
    activities: { ...actionActivities([noop]), ...admitting(tenStepRunbook(), alertRunbook(ALERT_RUNBOOK)) },
  });
  console.log('bench worker ready');
  await worker.run();
  await connection.close();
}

if (require.main === module)
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
