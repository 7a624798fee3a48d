// `npm run drill -- --ci` on real parts: a Kubernetes control plane built from the Go module proxy
// (cached between runs), Prometheus, Alertmanager, the demo service and the whole engine. The
// broken rollout must end rolled back on the API server, by one remediation with its decision and
// approval recorded, the alert resolved and signalled, a complete report, and nothing left running.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DrillResult } from '../../drill/main';

const DRILL = path.join(__dirname, '..', '..', 'dist', 'drill', 'main.js');

/** Processes whose command line names the drill's working folder. */
function leftOver(dir: string): string[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return cmd.includes(dir) ? [`${pid}: ${cmd}`] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

it('rolls a broken rollout back end to end, and leaves nothing running', async () => {
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [DRILL, '--ci'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    child.on('exit', resolve);
  });
  const text = output.join('');
  const line = text.split('\n').find((l) => l.startsWith('DRILL RESULT '));
  if (code !== 0 || !line) throw new Error(`the drill failed (exit ${code}):\n${text}`);
  const result = JSON.parse(line.slice('DRILL RESULT '.length)) as DrillResult;

  expect(result.remediations).toBe(1);
  expect(result.image).toBe('checkout:v1');
  // v1, then v2, then the undo: a new revision, not the first one back.
  expect(result.revision).toBe('3');
  expect(result.resolvedSignalled).toBe(true);
  const report = readFileSync(result.report, 'utf8');
  expect(report).toContain('<strong class="succeeded">succeeded');
  expect(report).toMatch(/Claude \(claude-[^)]+\) answered <strong>rollback<\/strong>/);
  expect(report).toContain('drill-operator approved plan');
  for (const step of ['error_rate', 'rollouts', 'diagnose', 'approve_rollback', 'rollback', 'verify', 'resolved'])
    expect(report).toContain(`<code>${step}</code>`);
  // The engine's dashboard works against the drill's Prometheus, which scraped worker, receiver and Temporal.
  expect(result.dashboard.errors).toEqual([]);
  expect(result.dashboard.withData).toBeGreaterThanOrEqual(8);
  // Each phase of the timeline was measured.
  expect(Object.values(result.timeline).every((ms) => typeof ms === 'number')).toBe(true);
  expect(leftOver(path.dirname(result.report))).toEqual([]);
}, 1_800_000);
