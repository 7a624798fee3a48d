// `runbook validate PATH...`: files or folders; exit 0 when all are valid, 1 otherwise;
// human-readable by default, --json for machines.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { EXAMPLE_FILES, EXAMPLE_TEST_FILES } from '../helpers/examples';

const dir = mkdtempSync(path.join(tmpdir(), 'cli-validate-'));
const good = path.join(dir, 'good.yaml');
const bad = path.join(dir, 'nested', 'bad.yml');
writeFileSync(good, 'name: good\nsteps:\n  - id: a\n    uses: shell\n    with: { command: [echo, hi] }\n');
mkdirSync(path.dirname(bad));
writeFileSync(bad, 'name: bad\nsteps:\n  - id: a\n    uses: shell\n    with: { comand: [echo] }\n  - id: b\n    wait: 5min\n');
writeFileSync(path.join(dir, 'notes.txt'), 'not a runbook');

it('exits 0 for the example runbooks and their tests', async () => {
  const result = await runCli(['validate', ...EXAMPLE_FILES, ...EXAMPLE_TEST_FILES]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^runbooks\/high-error-rate\.yaml: ok \(high-error-rate [0-9a-f]{12}\)$/m);
  expect(result.stdout.trim().split('\n').at(-1)).toBe(`${EXAMPLE_FILES.length} runbook(s) and ${EXAMPLE_TEST_FILES.length} test file(s) valid`);
});

it('walks folders, prints every error with file:line:col, and exits 1', async () => {
  const result = await runCli(['validate', dir], {}, dir);
  expect(result.code).toBe(1);
  expect(result.stdout.split('\n')).toEqual([
    'good.yaml: ok (good ' + /good ([0-9a-f]{12})/.exec(result.stdout)![1] + ')',
    'nested/bad.yml:5:11: error: `with` of step `a` (action `shell`) is missing the required key `command` [missing-key]',
    'nested/bad.yml:5:13: error: unknown key `comand` in `with` of step `a` (action `shell`) (did you mean `command`?) [unknown-key]',
    'nested/bad.yml:7:11: error: `5min` is not a duration (write e.g. 30s, 5m, 1h30m, 2d or 250ms) [bad-duration]',
    '1 of 2 runbook(s) invalid',
    '',
  ]);
});

it('reports machine-readable results with --json', async () => {
  const result = await runCli(['validate', '--json', good, bad]);
  expect(result.code).toBe(1);
  const report = JSON.parse(result.stdout) as {
    valid: boolean;
    files: Array<{ file: string; valid: boolean; diagnostics: Array<{ line: number; col: number; code: string }> }>;
  };
  expect(report.valid).toBe(false);
  expect(report.files.map((f) => [path.basename(f.file), f.valid])).toEqual([
    ['good.yaml', true],
    ['bad.yml', false],
  ]);
  expect(report.files[1]!.diagnostics.map((d) => [d.line, d.col, d.code])).toEqual([
    [5, 11, 'missing-key'],
    [5, 13, 'unknown-key'],
    [7, 11, 'bad-duration'],
  ]);
});

it('exits 1 with a clear message for a missing path', async () => {
  const result = await runCli(['validate', path.join(dir, 'nope.yaml')]);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain(`${path.join(dir, 'nope.yaml')}:1:1: error: no such file or directory [unreadable]`);
});

it('refuses a runbook over the size limit with its real size, without reading it', async () => {
  const bigDir = mkdtempSync(path.join(tmpdir(), 'cli-validate-big-'));
  writeFileSync(path.join(bigDir, 'big.yaml'), `name: big\n# ${'x'.repeat(3 * 1024 * 1024)}\n`);
  const result = await runCli(['validate', 'big.yaml'], {}, bigDir);
  expect(result.code).toBe(1);
  expect(result.stdout.split('\n')[0]).toBe('big.yaml:1:1: error: runbook is 3.0 MiB; the limit is 1.0 MiB [file-too-large]');
});
