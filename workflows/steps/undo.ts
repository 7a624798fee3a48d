// A completed step that declares `compensate` leaves its undo on the run's stack, rendered while
// the step's outputs and loop variables are still in scope (workflows/compensation.ts runs them).
// With `when: attempted`, a failed or cancelled attempt leaves it too, with the step's error.
import type { CompensateStep } from '../../dsl/compiled-base';
import { renderParameters } from '../../dsl/secrets';
import type { Frame } from '../run';

/** Renders the undo now, while the step's outputs (or its error) and loop variables are in scope. */
export function pushCompensation(frame: Frame, stepId: string, compensate: CompensateStep, ended: { outputs: unknown } | { error: string }): void {
  const scope = frame.scope();
  const record = 'error' in ended ? { outputs: {}, status: 'failed', error: ended.error } : { outputs: ended.outputs ?? {}, status: 'succeeded', error: '' };
  const own = { ...(scope.steps as Record<string, unknown>), [stepId]: record };
  const rendered = renderParameters(compensate.with, { ...scope, steps: own });
  frame.run.pushCompensation({
    stepId,
    ...(compensate.description !== undefined && { description: compensate.description }),
    uses: compensate.uses,
    with: rendered.value,
    ...(rendered.sites.length > 0 && { secretSites: rendered.sites }),
    ...(compensate.secrets && { secrets: compensate.secrets }),
    timeoutMs: compensate.timeoutMs,
    retry: compensate.retry,
  });
}
