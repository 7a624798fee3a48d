// The runbook folders a deployment serves (RUNBOOK_DIR, a list like PATH: `ops/runbooks:runbooks`),
// compiled once: the worker admits exactly these, the receiver routes alerts to them, and child
// steps find their runbooks in them. A file that does not compile is reported and left out; the
// others still load. Names are unique across the folders: like PATH, the first folder wins, and a
// later runbook of the same name is reported as shadowed and not served.
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

/** The folders RUNBOOK_DIR names (separated like PATH; relative ones from `base`), or the project's `runbooks/`. */
export function runbookDirs(env: NodeJS.ProcessEnv = process.env, base = process.cwd()): string[] {
  const dirs = (env.RUNBOOK_DIR ?? '')
    .split(path.delimiter)
    .map((d) => d.trim())
    .filter(Boolean);
  return dirs.length > 0 ? dirs.map((d) => path.resolve(base, d)) : [path.join(PROJECT_ROOT, 'runbooks')];
}

export function loadRunbookDirs(dirs: readonly string[], catalog: ActionCatalog): LoadedRunbooks {
  const runbooks: CompiledRunbook[] = [];
  const problems: string[] = [];
  const folders = new RunbookFolders(dirs);
  const served = new Map<string, string>();
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
      const first = served.get(result.runbook.name);
      if (first !== undefined) {
        problems.push(
          `${result.runbook.file}: runbook \`${result.runbook.name}\` is shadowed by ${first}, which comes first in RUNBOOK_DIR; rename one of them`,
        );
        continue;
      }
      served.set(result.runbook.name, result.runbook.file);
      runbooks.push(result.runbook);
    }
  }
  return { runbooks, problems };
}
