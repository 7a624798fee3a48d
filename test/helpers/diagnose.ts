// Compiles runbook text and returns its diagnostics as the CLI prints them.
import { BUILTIN_ACTIONS, catalogOf } from '../../activities/registry';
import { compileRunbook } from '../../dsl/compile';
import { formatDiagnostic } from '../../dsl/diagnostics';

export function diagnose(text: string, file = 'rb.yaml', others: Record<string, string> = {}): string[] {
  const result = compileRunbook(text, file, {
    catalog: catalogOf(BUILTIN_ACTIONS),
    resolve: (name) => (others[name] !== undefined ? { file: `${name}.yaml`, text: others[name]! } : undefined),
  });
  return result.diagnostics.map(formatDiagnostic);
}
