// The interpreter benchmarks' runbook: ten no-op steps.
import { compileRunbook } from '../../dsl/compile';
import type { CompiledRunbook } from '../../dsl/compiled';
import { noop } from './noop-action';

export function tenStepRunbook(): CompiledRunbook {
  const steps = Array.from(
    { length: 10 },
    (_, i) => `  - id: step_${i + 1}\n    description: no-op ${i + 1}\n    uses: bench.noop\n    with: { n: ${i + 1} }\n`,
  ).join('');
  const result = compileRunbook(`name: ten-steps\nsteps:\n${steps}`, 'ten-steps.yaml', { catalog: new Map([[noop.name, noop]]), resolve: () => undefined });
  if (!result.runbook) throw new Error(JSON.stringify(result.diagnostics));
  return result.runbook;
}
