// A team keeps its runbooks in its own folders (RUNBOOK_DIR=ops/runbooks:shared): children are
// found beside their parent, then in the folders in order; the CLI, the worker and the receiver
// compile the same definitions from the same setting; a name in two folders is reported.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { catalogOf } from '../../activities/registry';
import { loadRunbookDirs, runbookDirs } from '../../repository/runbook-dirs';
import { compileFile, RunbookFolders } from '../../repository/runbook-files';
import type { TemporalSettings } from '../../temporal/connection';
import { runCli } from '../helpers/cli';
import { ACTIONS, servingFolders, withWorker } from '../helpers/temporal';

const root = mkdtempSync(path.join(tmpdir(), 'runbook-dirs-'));
const folder = (name: string, files: Record<string, string>) => {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
};
const echo = (name: string, said: string) => `
name: ${name}
steps:
  - id: say
    uses: shell
    with: { command: [echo, '${said}'] }
outputs:
  said: \${{ steps.say.outputs.stdout.trim() }}
`;
const parent = `
name: restart-checkout
steps:
  - id: tell
    runbook: notify
outputs:
  told: \${{ steps.tell.outputs.said }}
`;

// The team's folder calls `notify`, which only the shared folder has.
const ops = folder('ops', { 'restart-checkout.yaml': parent });
const shared = folder('shared', { 'notify.yaml': echo('notify', 'from shared') });
// Another team's folder has its own `notify` beside its parent, and a second `notify` that the shared one shadows.
const local = folder('local', { 'restart-checkout.yaml': parent, 'notify.yaml': echo('notify', 'from beside') });
const catalog = catalogOf(ACTIONS);
const env = (s: TemporalSettings, dirs: string[]) => ({
  TEMPORAL_ADDRESS: s.connection.address,
  RUNBOOK_TASK_QUEUE: s.taskQueue,
  RUNBOOK_DIR: dirs.join(path.delimiter),
});

it('reads RUNBOOK_DIR like PATH, relative folders from where it is read', () => {
  expect(runbookDirs({ RUNBOOK_DIR: `ops/runbooks${path.delimiter} ${path.delimiter}/srv/shared` }, '/home/sre/team')).toEqual([
    '/home/sre/team/ops/runbooks',
    '/srv/shared',
  ]);
});

it('finds a child in a later folder, and the CLI compiles what the worker serves', () => {
  const served = loadRunbookDirs([ops, shared], catalog);
  expect(served.problems).toEqual([]);
  const restart = served.runbooks.find((r) => r.name === 'restart-checkout')!;
  expect(JSON.stringify(restart)).toContain('from shared');
  const cli = compileFile(path.join(ops, 'restart-checkout.yaml'), catalog, new RunbookFolders([ops, shared]));
  expect(cli.runbook?.hash).toBe(restart.hash);
  // Without the shared folder the child is unknown, with a hint that says where it was looked for.
  const alone = compileFile(path.join(ops, 'restart-checkout.yaml'), catalog, new RunbookFolders([ops]));
  expect(alone.diagnostics.map((d) => `${d.message} (${d.hint})`)).toEqual([
    'no runbook named `notify` (a child runbook is found by its `name:` beside this one, then in the RUNBOOK_DIR folders in order)',
  ]);
});

it('prefers the runbook beside the parent, and reports a name that an earlier folder shadows', () => {
  const served = loadRunbookDirs([shared, local], catalog);
  expect(served.problems).toEqual([
    `${path.relative(process.cwd(), path.join(local, 'notify.yaml'))}: runbook \`notify\` is shadowed by ${path.relative(process.cwd(), path.join(shared, 'notify.yaml'))}, which comes first in RUNBOOK_DIR; rename one of them`,
  ]);
  expect(served.runbooks.map((r) => r.name).sort()).toEqual(['notify', 'restart-checkout']);
  expect(JSON.stringify(served.runbooks.find((r) => r.name === 'restart-checkout'))).toContain('from beside');
});

it('validates the RUNBOOK_DIR folders when given no path, and runs a runbook whose child is in another folder', async () => {
  const validated = await runCli(['validate'], { RUNBOOK_DIR: [ops, shared].join(path.delimiter) });
  expect(validated.code).toBe(0);
  expect(validated.stdout.trim().split('\n').at(-1)).toBe('2 runbook(s) valid');

  const ran = await withWorker((s) => runCli(['run', path.join(ops, 'restart-checkout.yaml')], env(s, [ops, shared])), {
    admission: servingFolders(ops, shared),
  });
  expect(ran.stdout).toContain('succeeded: {"told":"from shared"}');
  expect(ran.code).toBe(0);
});
