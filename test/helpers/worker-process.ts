// The real worker process (dist/worker/main.js), for tests that kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { TemporalSettings } from '../../temporal/connection';

const WORKER_MAIN = path.join(__dirname, '..', '..', 'dist', 'worker', 'main.js');

/** A fresh folder holding these runbook texts, for a worker process to serve (RUNBOOK_DIR). */
export function runbookFolder(texts: readonly string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'runbooks-'));
  texts.forEach((text, i) => writeFileSync(path.join(dir, `runbook-${i + 1}.yaml`), text));
  return dir;
}

/** The worker serves `runbooks` (YAML texts), unless `env` names its own RUNBOOK_DIR. */
export async function startWorkerProcess(s: TemporalSettings, env: NodeJS.ProcessEnv = {}, runbooks: readonly string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: s.connection.address,
      TEMPORAL_NAMESPACE: s.namespace,
      RUNBOOK_TASK_QUEUE: s.taskQueue,
      RUNBOOK_WORKFLOW_BUNDLE: process.env.RUNBOOK_TEST_WORKFLOW_BUNDLE,
      RUNBOOK_DIR: runbookFolder(runbooks),
      RUNBOOK_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'worker-state-')),
      // Several workers run at once in the tests: none takes the default metrics port unless asked.
      RUNBOOK_METRICS_ADDRESS: 'off',
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
