// `runbook run FILE --input key=value`: prints each step as it completes, exits 0 on success,
// 1 with the reason when the run fails, 2 when the runbook or its inputs are invalid.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TemporalSettings } from '../../temporal/connection';
import { spawn } from 'node:child_process';
import { CLI_MAIN, runCli } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { Admission } from '../../activities/admission/admission';
import { servingFolders, withWorker } from '../helpers/temporal';

const dir = mkdtempSync(path.join(tmpdir(), 'cli-run-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const env = (s: TemporalSettings) => ({ TEMPORAL_ADDRESS: s.connection.address, RUNBOOK_TASK_QUEUE: s.taskQueue, RUNBOOK_UI_URL: 'http://ui.test' });

const GREET = file(
  'greet.yaml',
  `
name: greet
inputs:
  who: { type: string }
  times: { type: integer, minimum: 1, maximum: 3, default: 1 }
steps:
  - id: hello
    uses: shell
    with: { command: [echo, 'hello \${{ inputs.who }}'] }
  - id: again
    if: \${{ inputs.times > 1 }}
    uses: shell
    with: { command: [echo, 'again'] }
  - id: shout
    uses: shell
    with: { command: [sh, -c, 'test "$1" != "hello mallory"', sh, '\${{ steps.hello.outputs.stdout.trim() }}'] }
outputs:
  said: \${{ steps.hello.outputs.stdout.trim() }}
`,
);

it('prints each completed step and exits 0 on success', async () => {
  const result = await withWorker((s) => runCli(['run', GREET, '--input', 'who=alice', '-i', 'times=2'], env(s)), { admission: servingFolders(dir) });
  expect(result.code).toBe(0);
  const lines = result.stdout.split('\n');
  expect(lines[0]).toMatch(/^started greet \([0-9a-f]{12}\) as greet-/);
  expect(lines[1]).toMatch(/^ {2}http:\/\/ui\.test\/namespaces\/default\/workflows\/greet-/);
  expect(lines.filter((l) => /^ {2}[✓✗-] /.test(l)).map((l) => l.replace(/ \(.*$/, ''))).toEqual(['  ✓ hello', '  ✓ again', '  ✓ shout']);
  expect(lines).toContain('succeeded: {"said":"hello alice"}');
});

it('exits 1 and prints the reason when the run fails', async () => {
  const result = await withWorker((s) => runCli(['run', GREET, '-i', 'who=mallory'], env(s)), { admission: servingFolders(dir) });
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/ {2}- again skipped/);
  expect(result.stdout).toMatch(/✗ shout failed/);
  expect(result.stdout).toMatch(/failed: step `shout` failed: shell failed: .* exited with 1/);
});

it('exits 2 at once, with the reason and how to admit it, when the worker does not serve the runbook', async () => {
  const elsewhere = new Admission({ sources: ['/srv/runbooks'] });
  const started = Date.now();
  const result = await withWorker((s) => runCli(['run', GREET, '-i', 'who=alice'], env(s)), { admission: elsewhere });
  expect(result.code).toBe(2);
  expect(result.stdout).toMatch(
    /^not admitted: runbook `greet` \([0-9a-f]{12}\) is not one this worker serves \(from \/srv\/runbooks\)\. To admit it, put the runbook file in one of those folders .*RUNBOOK_DEV_ADMIT_ANY=1/m,
  );
  expect(result.stdout).not.toMatch(/✓|✗/);
  expect(Date.now() - started).toBeLessThan(8_000);
});

it('exits 2 with file:line:col when the runbook is invalid', async () => {
  const bad = file('bad.yaml', 'name: bad\nsteps:\n  - id: one\n    uses: shell\n    tiemout: 5s\n    with: { command: [echo] }\n');
  const result = await runCli(['run', bad]);
  expect(result.code).toBe(2);
  expect(result.stdout).toContain('bad.yaml:5:5: error: unknown key `tiemout` in step `one` (did you mean `timeout`?) [unknown-key]');
});

it('exits 2 and names the input when inputs are invalid', async () => {
  const result = await runCli(['run', GREET, '-i', 'who=bob', '-i', 'times=7', '-i', 'colour=red']);
  expect(result.code).toBe(2);
  expect(result.stdout).toContain('unknown input `colour` (inputs: who, times)');
  expect(result.stdout).toContain('input `times` (given) must be at most 3, not 7');
});

const GATED = file(
  'gated.yaml',
  `
name: gated
steps:
  - id: approve_hello
    approve: { approvers: [alice, bob], timeout: 5m }
  - id: hello
    uses: shell
    with: { command: [echo, hello] }
`,
);

it('says at once when the run waits for a person, with who may answer and the commands, and goes on once answered', async () => {
  await withWorker(
    async (s) => {
      const child = spawn(process.execPath, [CLI_MAIN, 'run', GATED, '--as', 'zoe'], { env: { ...process.env, ...env(s) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
      await eventually(async () => out.includes('⏸'), 'the waiting notice');
      const lines = out.split('\n');
      const wait = lines.find((l) => l.includes('⏸'))!;
      expect(wait).toMatch(/^ {2}⏸ approve_hello waits for approval of hello; who may answer: alice, bob; until 20\S+Z, then the step fails$/);
      const approve = lines.find((l) => l.trim().startsWith('runbook approve '))!.trim();
      expect(lines).toContain(`      or in the Web UI: ${lines[1]!.trim()}`);
      // The printed command works as printed, with a name and a reason filled in.
      const args = approve
        .replace(/^runbook /, '')
        .replace("'<why>'", 'looks-right')
        .split(' ');
      const approved = await runCli([...args, '--as', 'alice'], env(s));
      expect(approved.code).toBe(0);
      expect(await exit).toBe(0);
      expect(out).toContain('succeeded');
    },
    { admission: servingFolders(dir) },
  );
});
