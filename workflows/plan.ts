// The plan an approval approves: the guarded step with its parameters rendered now. Its hash
// binds the approval: the step runs only if rendering it again gives the same plan.
import { kindOf, type CompiledStep } from '../dsl/kinds';
import { hashValue } from '../dsl/hash';
import type { Frame } from './run';
import type { Plan } from '../contract/run';

/** The step's kind says what its plan is (its descriptor's `plan`); a kind without one has only its id. */
export function renderPlan(step: CompiledStep, frame: Frame): Plan {
  return { step: step.id, ...kindOf(step).plan?.(step, frame.scope()) };
}

export function planHash(plan: Plan): string {
  return hashValue(plan);
}

/** Before a guarded step runs: is there an approval for exactly this plan? Consumes it. */
export function checkApprovedPlan(step: CompiledStep, frame: Frame): string | undefined {
  const run = frame.run;
  const approver = run.guardedBy.get(step.id);
  if (!approver) return undefined;
  const approved = run.takeApprovedPlan(step.id);
  if (!approved) return `step \`${step.id}\` needs the approval of step \`${approver}\` and has none`;
  const now = planHash(renderPlan(step, frame));
  if (now !== approved) return `the plan of step \`${step.id}\` changed after it was approved (approved ${approved.slice(0, 12)}, now ${now.slice(0, 12)})`;
  return undefined;
}
