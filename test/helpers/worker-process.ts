// The real worker process (dist/worker/main.js), for tests that kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { TemporalSettings } from '../../temporal/connection';

const WORKER_MAIN = path.join(__dirname, '..', '..', 'dist', 'worker', 'main.js');

export async function startWorkerProcess(s: TemporalSettings, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: s.connection.address,
      TEMPORAL_NAMESPACE: s.namespace,
      RUNBOOK_TASK_QUEUE: s.taskQueue,
      RUNBOOK_WORKFLOW_BUNDLE: process.env.RUNBOOK_TEST_WORKFLOW_BUNDLE,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 30s:\n${output.join('\n')}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} (is dist/ built? run \`npm run build\`):\n${output.join('\n')}`)));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        if (line.startsWith('worker ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
  return child;
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}
