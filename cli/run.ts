// `runbook run FILE --input key=value`: validates, starts the run, prints each step as it
// completes; exit 0 on success, 1 when the run fails, 2 when it cannot start.
import { readFileSync } from 'node:fs';
import { catalogOf, loadActions } from '../activities/registry';
import type { Alert } from '../dsl/alert';
import { formatDiagnostic, hasErrors } from '../dsl/diagnostics';
import { resolveInputs } from '../dsl/inputs';
import { withClient } from '../temporal/connection';
import { startRun } from '../temporal/start-run';
import { followRun } from './follow';
import { whoAmI } from './humans';
import { runbookDirs } from '../repository/runbook-dirs';
import { compileFile, RunbookFolders } from '../repository/runbook-files';
import { runUrl } from '../contract/urls';

export interface RunCommandOptions {
  input: string[];
  alert?: string;
  as?: string;
  id?: string;
  wait: boolean;
}

export async function runCommand(file: string, options: RunCommandOptions, print: (line: string) => void): Promise<number> {
  // Children are found as the worker finds them: beside the file, then in RUNBOOK_DIR.
  const compiled = compileFile(file, catalogOf(loadActions()), new RunbookFolders(runbookDirs()));
  for (const d of compiled.diagnostics) print(formatDiagnostic(d));
  if (hasErrors(compiled.diagnostics) || !compiled.runbook) return 2;
  const runbook = compiled.runbook;

  const given: Record<string, string> = {};
  for (const pair of options.input) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      print(`--input ${pair}: expected key=value`);
      return 2;
    }
    given[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const alert = options.alert ? (JSON.parse(readFileSync(options.alert, 'utf8')) as Alert) : undefined;
  const { values, problems } = resolveInputs(runbook.inputs, given, alert);
  if (problems.length > 0) {
    for (const p of problems) print(`${file}: ${p}`);
    return 2;
  }

  return withClient(async (client, settings) => {
    const handle = await startRun(client, settings.taskQueue, {
      runbook,
      inputs: values,
      ...(alert && { alert }),
      startedBy: whoAmI(options.as),
      ...(options.id && { workflowId: options.id }),
    });
    print(`started ${runbook.name} (${runbook.hash.slice(0, 12)}) as ${handle.workflowId}`);
    const link = runUrl(settings.namespace, handle.workflowId);
    print(`  ${link}`);
    if (!options.wait) return 0;
    const result = await followRun(handle, print, link);
    if (result.ok) {
      print(`succeeded${result.outputs && Object.keys(result.outputs).length ? `: ${JSON.stringify(result.outputs)}` : ''}`);
      return 0;
    }
    // The worker refused to run this definition at all: like an invalid runbook, it never started.
    if (result.type === 'NotAdmitted') {
      print(result.reason ?? 'not admitted');
      return 2;
    }
    print(`failed: ${result.reason}`);
    return 1;
  });
}
