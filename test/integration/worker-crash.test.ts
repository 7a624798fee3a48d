// Durability: SIGKILL the worker process in the middle of a run, start a new one; the run
// completes and steps that had completed are not executed again.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRun } from '../../temporal/start-run';
import { eventually } from '../helpers/eventually';
import { closeTestClient, compile, settings, testClient } from '../helpers/temporal';
import { exited, startWorkerProcess } from '../helpers/worker-process';

const RUNBOOK = `
name: durable
inputs:
  out: { type: string }
steps:
  - id: one
    uses: shell
    with: { command: [sh, -c, 'echo one >> "$1"', sh, '\${{ inputs.out }}'] }
  - id: two
    description: Slow enough to be killed in the middle
    uses: shell
    timeout: 6s
    retry: { maxAttempts: 3, initialInterval: 1s }
    with: { command: [sh, -c, 'echo two-start >> "$1"; sleep 2; echo two-done >> "$1"', sh, '\${{ inputs.out }}'] }
  - id: three
    uses: shell
    with: { command: [sh, -c, 'echo three >> "$1"', sh, '\${{ inputs.out }}'] }
outputs:
  lines: \${{ steps.three.status }}
`;

afterAll(closeTestClient);

it('survives a SIGKILLed worker without repeating completed steps', async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'crash-')), 'lines.txt');
  const lines = () => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n') : []);
  const s = settings();
  const first = await startWorkerProcess(s, {}, [RUNBOOK]);
  const handle = await startRun(await testClient(), s.taskQueue, { runbook: compile(RUNBOOK), inputs: { out }, startedBy: 'test' });

  await eventually(() => lines().includes('two-start'), 'step two to start', 30_000);
  first.kill('SIGKILL');
  await exited(first);
  const second = await startWorkerProcess(s, {}, [RUNBOOK]);
  try {
    const result = await handle.result();
    expect(result.status).toBe('succeeded');
  } finally {
    second.kill('SIGTERM');
    await exited(second);
  }
  // The killed attempt's command was already running; its own process group finishes it.
  await eventually(() => lines().filter((l) => l === 'two-done').length === 2, 'the orphaned attempt to finish', 10_000);
  const counts = lines().reduce<Record<string, number>>((c, l) => ({ ...c, [l]: (c[l] ?? 0) + 1 }), {});
  expect(counts).toEqual({ one: 1, 'two-start': 2, 'two-done': 2, three: 1 });
  expect(lines().indexOf('three')).toBeGreaterThan(lines().lastIndexOf('two-start'));
});
