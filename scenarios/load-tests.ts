// Test files from the paths `runbook test` and `runbook validate` are given: each checked against
// the runbook it names (found by name in its folder, compiled as the worker compiles it), and
// cut into test cases, one per scenario.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ActionCatalog } from '../dsl/catalog';
import { checkTestFile, type LoadedTestFile } from '../dsl/check-test-file';
import type { CompiledRunbook } from '../dsl/compiled';
import { hasErrors, type Diagnostic } from '../dsl/diagnostics';
import { fileTooLarge } from '../dsl/load';
import { TEST_FILE, type Scenario } from '../dsl/test-file';
import { compileFile, type RunbookFolders } from '../repository/runbook-files';

export interface TestCase {
  file: string;
  runbook: CompiledRunbook;
  /** The runbook's own file, for coverage. */
  runbookFile: string;
  scenario: Scenario;
  /** `file:line:col` of the scenario. */
  where: string;
  groups?: Record<string, string[]>;
}

export interface CheckedTestFile {
  file: string;
  runbook?: { name: string; file: string; runbook: CompiledRunbook };
  diagnostics: Diagnostic[];
  cases: TestCase[];
}

export const isTestFile = (file: string): boolean => TEST_FILE.test(file);

/** Checks one test file; its cases are empty when it has errors (its runbook's own errors included). */
export function loadTestFile(file: string, catalog: ActionCatalog, folders: RunbookFolders): CheckedTestFile {
  const shown = path.relative(process.cwd(), file) || file;
  const tooLarge = fileTooLarge(shown, statSync(file).size);
  if (tooLarge) return { file: shown, diagnostics: [tooLarge], cases: [] };
  let found: CheckedTestFile['runbook'];
  const runbookDiagnostics: Diagnostic[] = [];
  const named = (name: string): CompiledRunbook | undefined => {
    const runbookFile = folders.besideOf(file, name);
    if (!runbookFile) return undefined;
    const result = compileFile(runbookFile, catalog, folders);
    runbookDiagnostics.push(...result.diagnostics.filter((d) => d.severity === 'error'));
    if (result.runbook) found = { name, file: runbookFile, runbook: result.runbook };
    return result.runbook;
  };
  const checked: LoadedTestFile = checkTestFile(readFileSync(file, 'utf8'), shown, named, catalog);
  const diagnostics = [...runbookDiagnostics, ...checked.diagnostics];
  if (hasErrors(diagnostics) || !checked.doc || !found) return { file: shown, ...(found && { runbook: found }), diagnostics, cases: [] };
  const { runbook, file: runbookFile } = found;
  const cases = checked.doc.scenarios.map((scenario, i) => {
    const pos = checked.source.locate(['scenarios', i]);
    return {
      file: shown,
      runbook,
      runbookFile,
      scenario,
      where: `${shown}:${pos.line}:${pos.col}`,
      ...(checked.doc!.groups && { groups: checked.doc!.groups }),
    };
  });
  return { file: shown, runbook: found, diagnostics, cases };
}
