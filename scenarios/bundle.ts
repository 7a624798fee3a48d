// The workflow bundle of `runbook test` workers: the production workflows plus the interceptor
// that lets scenarios script child runs. Bundling takes seconds, so the bundle is cached under
// .tools/bundles/, keyed by the content of every file it is built from and the SDK version.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from '../temporal/bundle';
import { PROJECT_ROOT } from '../repository/project';

/** The folders workflow code is built from (next to this file: sources under ts-jest, dist/ when built). */
const SOURCE_DIRS = ['workflows', 'contract', 'dsl'];

export async function scenarioBundlePath(): Promise<string> {
  const root = path.join(__dirname, '..');
  const workflows = path.join(root, 'workflows');
  const interceptor = require.resolve('../workflows/scripted-children');
  const hash = createHash('sha256');
  hash.update(readFileSync(require.resolve('@temporalio/workflow/package.json')));
  for (const dir of SOURCE_DIRS) for (const file of filesUnder(path.join(root, dir))) hash.update(file).update(readFileSync(file));
  const dir = path.join(PROJECT_ROOT, '.tools', 'bundles');
  const file = path.join(dir, `scenario-${hash.digest('hex').slice(0, 16)}.js`);
  if (existsSync(file)) return file;
  const bundle = await bundleWorkflows(workflows, [interceptor]);
  mkdirSync(dir, { recursive: true });
  // Written aside and renamed, so a concurrent run never reads half a bundle.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, bundle.code);
  renameSync(partial, file);
  return file;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [path.join(dir, e.name)] : []));
}
