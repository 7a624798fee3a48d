// `runbook validate PATH...`: every error of every file, human-readable or as JSON.
import { loadActions, catalogOf } from '../activities/registry';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../dsl/diagnostics';
import { compileFile, expandPaths } from './runbook-files';

export interface ValidateReport {
  files: Array<{ file: string; valid: boolean; name?: string; hash?: string; diagnostics: Diagnostic[] }>;
  valid: boolean;
}

export function validatePaths(paths: string[]): ValidateReport {
  const catalog = catalogOf(loadActions());
  const files = expandPaths(paths).map((file) => {
    const result = compileFile(file, catalog);
    return {
      file,
      valid: !hasErrors(result.diagnostics),
      ...(result.runbook && { name: result.runbook.name, hash: result.runbook.hash }),
      diagnostics: result.diagnostics,
    };
  });
  return { files, valid: files.length > 0 && files.every((f) => f.valid) };
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
    if (f.valid) console.log(`${f.file}: ok (${f.name} ${f.hash?.slice(0, 12)})`);
  }
  const bad = report.files.filter((f) => !f.valid).length;
  if (report.files.length === 0) console.log('no runbooks found');
  else console.log(bad === 0 ? `${report.files.length} runbook(s) valid` : `${bad} of ${report.files.length} runbook(s) invalid`);
}
