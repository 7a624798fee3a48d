// The runbooks the receiver routes to: every valid runbook with triggers in RUNBOOK_DIR, compiled
// once at start. An invalid runbook is reported and left out; the others still route.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ActionCatalog } from '../dsl/catalog';
import type { CompiledRunbook } from '../dsl/compiled';
import { formatDiagnostic, hasErrors } from '../dsl/diagnostics';
import { compileFile, RunbookFolders, YAML_FILE } from '../repository/runbook-files';

export interface RunbookIndex {
  runbooks: CompiledRunbook[];
  problems: string[];
}

export function loadRunbookIndex(dir: string, catalog: ActionCatalog): RunbookIndex {
  const runbooks: CompiledRunbook[] = [];
  const problems: string[] = [];
  const folders = new RunbookFolders();
  for (const file of readdirSync(dir).filter((f) => YAML_FILE.test(f)).sort()) {
    const result = compileFile(path.join(dir, file), catalog, folders);
    if (hasErrors(result.diagnostics) || !result.runbook) {
      problems.push(...result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic));
      continue;
    }
    if (result.runbook.triggers.length > 0) runbooks.push(result.runbook);
  }
  return { runbooks, problems };
}
