// A 3-minute chaos soak on the embedded stack (npm run soak): alerts from all four sources while
// the worker is SIGKILLed, the receiver and Temporal restarted and the model's network paused;
// every invariant must hold, and every kind of fault must have been injected.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SOAK = path.join(__dirname, '..', '..', 'dist', 'soak', 'main.js');

it('keeps every promise through three minutes of alerts and faults', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'soak-test-'));
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [SOAK, '--minutes', '3', '--seed', '7', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`the soak failed (exit ${code}):\n${output.join('')}`);
  const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as {
    runs: number;
    faults: Array<{ kind: string }>;
    checks: Array<{ name: string; ok: boolean }>;
  };
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks.length).toBeGreaterThanOrEqual(9);
  expect(new Set(report.faults.map((f) => f.kind))).toEqual(new Set(['kill-worker', 'restart-receiver', 'restart-temporal', 'pause-model']));
  expect(report.runs).toBeGreaterThan(30);
}, 900_000);
