// The plan an approval approves: the guarded step with its parameters rendered now. Its hash
// binds the approval: the step runs only if rendering it again gives the same plan.
import type { CompiledStep } from '../dsl/compiled';
import { renderTemplate, renderValue } from '../dsl/expressions';
import { renderParameters } from '../dsl/secrets';
import { hashValue } from '../dsl/hash';
import type { Frame } from './run';
import type { Plan } from '../contract/run';

export function renderPlan(step: CompiledStep, frame: Frame): Plan {
  const scope = frame.scope();
  switch (step.kind) {
    case 'action':
      return { step: step.id, uses: step.uses, with: renderParameters(step.with, scope).value };
    case 'runbook':
      return { step: step.id, runbook: step.runbook, with: renderValue(step.with, scope) as Record<string, unknown> };
    case 'foreach': {
      const items = renderTemplate(step.items, scope);
      return { step: step.id, items: Array.isArray(items) ? items : [items] };
    }
    default:
      return { step: step.id };
  }
}

export function planHash(plan: Plan): string {
  return hashValue(plan);
}

/** Before a guarded step runs: is there an approval for exactly this plan? Consumes it. */
export function checkApprovedPlan(step: CompiledStep, frame: Frame): string | undefined {
  const run = frame.run;
  const approver = run.guardedBy.get(step.id);
  if (!approver) return undefined;
  const approved = run.approvedPlans.get(step.id);
  run.approvedPlans.delete(step.id);
  if (!approved) return `step \`${step.id}\` needs the approval of step \`${approver}\` and has none`;
  const now = planHash(renderPlan(step, frame));
  if (now !== approved) return `the plan of step \`${step.id}\` changed after it was approved (approved ${approved.slice(0, 12)}, now ${now.slice(0, 12)})`;
  return undefined;
}
