// The runbook folders a deployment serves (RUNBOOK_DIR, a list like PATH: `ops/runbooks:runbooks`),
// compiled once: the worker admits exactly these, the receiver routes alerts to them. A file
// that does not compile is reported and left out; the others still load.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ActionCatalog } from '../dsl/catalog';
import type { CompiledRunbook } from '../dsl/compiled';
import { formatDiagnostic, hasErrors } from '../dsl/diagnostics';
import { PROJECT_ROOT } from './project';
import { compileFile, isRunbookFile, RunbookFolders } from './runbook-files';

export interface LoadedRunbooks {
  runbooks: CompiledRunbook[];
  /** One line per error, `file:line:col: ...`, or a folder that cannot be read. */
  problems: string[];
}

/** The folders RUNBOOK_DIR names (separated like PATH), or the project's `runbooks/`. */
export function runbookDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = (env.RUNBOOK_DIR ?? '')
    .split(path.delimiter)
    .map((d) => d.trim())
    .filter(Boolean);
  return dirs.length > 0 ? dirs.map((d) => path.resolve(d)) : [path.join(PROJECT_ROOT, 'runbooks')];
}

export function loadRunbookDirs(dirs: readonly string[], catalog: ActionCatalog): LoadedRunbooks {
  const runbooks: CompiledRunbook[] = [];
  const problems: string[] = [];
  const folders = new RunbookFolders();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch (err) {
      problems.push(`${dir}: cannot read the folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    for (const file of entries.filter(isRunbookFile).sort()) {
      const result = compileFile(path.join(dir, file), catalog, folders);
      if (hasErrors(result.diagnostics) || !result.runbook) {
        problems.push(...result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic));
        continue;
      }
      runbooks.push(result.runbook);
    }
  }
  return { runbooks, problems };
}
