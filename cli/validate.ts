// `runbook validate PATH...`: every error of every file, human-readable or as JSON.
import path from 'node:path';
import { loadActions, catalogOf } from '../activities/registry';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../dsl/diagnostics';
import { runbookDirs } from '../repository/runbook-dirs';
import { compileFile, expandPaths, RunbookFolders } from '../repository/runbook-files';
import { isTestFile, loadTestFile } from '../scenarios/load-tests';

export interface ValidateReport {
  /** Runbooks, and test files (`tests`: the runbook they test, `scenarios`: how many). */
  files: Array<{ file: string; valid: boolean; name?: string; hash?: string; tests?: string; scenarios?: number; diagnostics: Diagnostic[] }>;
  valid: boolean;
}

/** Validates these files and folders (none: the served folders); children are found beside their parent, then in RUNBOOK_DIR. */
export function validatePaths(paths: string[]): ValidateReport {
  const catalog = catalogOf(loadActions());
  const served = runbookDirs();
  const { files: found, unreadable } = expandPaths(paths.length ? paths : served);
  const missing = unreadable.map(({ file, reason }) => ({
    file,
    valid: false,
    diagnostics: [{ file, line: 1, col: 1, severity: 'error' as const, code: 'unreadable' as const, message: reason }],
  }));
  const folders = new RunbookFolders(served);
  const files = found.map((file) => {
    if (isTestFile(file)) {
      const checked = loadTestFile(file, catalog, folders);
      const valid = !hasErrors(checked.diagnostics);
      return {
        file: checked.file,
        valid,
        ...(checked.runbook && { tests: checked.runbook.name }),
        scenarios: checked.cases.length,
        diagnostics: checked.diagnostics,
      };
    }
    const result = compileFile(file, catalog, folders);
    return {
      file: path.relative(process.cwd(), file) || file,
      valid: !hasErrors(result.diagnostics),
      ...(result.runbook && { name: result.runbook.name, hash: result.runbook.hash }),
      diagnostics: result.diagnostics,
    };
  });
  const all = [...missing, ...files];
  return { files: all, valid: all.length > 0 && all.every((f) => f.valid) };
}

export function printValidateReport(report: ValidateReport, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const seen = new Set<string>();
  for (const f of report.files) {
    for (const d of f.diagnostics) {
      const line = formatDiagnostic(d);
      if (seen.has(line)) continue;
      seen.add(line);
      console.log(line);
    }
    if (f.valid && f.tests !== undefined) console.log(`${f.file}: ok (${f.scenarios} scenario(s) for ${f.tests})`);
    else if (f.valid) console.log(`${f.file}: ok (${f.name} ${f.hash?.slice(0, 12)})`);
  }
  const bad = report.files.filter((f) => !f.valid).length;
  const tests = report.files.filter((f) => isTestFile(f.file)).length;
  const what = tests === 0 ? 'runbook(s)' : 'file(s)';
  if (report.files.length === 0) console.log('no runbooks found');
  else if (bad > 0) console.log(`${bad} of ${report.files.length} ${what} invalid`);
  else console.log(`${report.files.length - tests} runbook(s)${tests ? ` and ${tests} test file(s)` : ''} valid`);
}
