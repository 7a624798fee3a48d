// The import boundaries are rules, and each one fires: test/fixtures/lint/ is laid out like the
// project, with files that break one boundary each on purpose (and some that keep to theirs).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'lint');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

interface LintResult {
  filePath: string;
  messages: Array<{ ruleId: string | null; line: number; message: string }>;
}

let results: Record<string, string[]>;

beforeAll(async () => {
  // ESLint exits 1 when it finds problems; the JSON report is on stdout either way.
  const { stdout } = await run(bin('eslint'), ['--config', path.join(fixtures, 'eslint.config.mjs'), '--format', 'json', fixtures], { cwd: root }).catch(
    (err: { stdout?: string; code?: number }) => {
      if (err.code !== 1 || !err.stdout) throw err;
      return { stdout: err.stdout };
    },
  );
  results = Object.fromEntries(
    (JSON.parse(stdout) as LintResult[]).map((r) => [
      path.relative(fixtures, r.filePath),
      r.messages.map((m) => `${m.line} ${m.ruleId ?? 'parse'}: ${m.message}`),
    ]),
  );
}, 60_000);

it.each([
  ['workflows/imports-ajv.ts', '2 project/layers: workflows/ may not import the package `ajv`'],
  ['workflows/imports-node.ts', '2 project/layers: workflows/ may not import the package `node:fs`'],
  ['workflows/imports-activity.ts', '2 project/layers: workflows/ may not import `activities/process`'],
  ['workflows/imports-dsl.ts', '4 project/layers: workflows/ may not import `dsl/shape`'],
  ['dsl/shape.ts', '2 project/layers: dsl/ may not import the package `node:fs`'],
  ['dsl/expressions.ts', '2 project/layers: a pure dsl module may not import `dsl/shape`'],
  ['activities/process.ts', '2 project/layers: activities/ may not import `workflows/run`'],
  ['contract/run.ts', '2 project/layers: contract/ may not import the package `node:fs/promises`'],
])('%s breaks a boundary and the lint says which', (file, expected) => {
  expect(results[file]).toEqual([expect.stringContaining(expected)]);
});

it('lets each layer import what it may: the workflow SDK, the contract, pure dsl modules, dsl types, YAML in dsl/', () => {
  for (const file of ['workflows/run.ts', 'dsl/durations.ts', 'dsl/load.ts']) expect([file, results[file]]).toEqual([file, []]);
  // imports-dsl.ts also imports a pure module and a type from an impure one: only the impure value import is flagged.
  expect(results['workflows/imports-dsl.ts']).toHaveLength(1);
});

it('finds an import cycle even when only types cross it', async () => {
  const cycle = path.join(fixtures, 'cycle');
  const failure = await run(bin('dpdm'), ['--no-tree', '--no-warning', '--no-progress', '--exit-code', 'circular:1', path.join(cycle, '*.ts')], {
    cwd: root,
  }).then(
    () => undefined,
    (err: { code?: number; stdout?: string }) => err,
  );
  expect(failure?.code).toBe(1);
  expect(failure?.stdout).toMatch(/cycle\/(a|b)\.ts -> test\/fixtures\/lint\/cycle\/(a|b)\.ts/);
}, 60_000);
