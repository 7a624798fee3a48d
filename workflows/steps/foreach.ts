// `foreach`: its steps once per item, at most `concurrency` iterations at a time. After a
// failed iteration no new one starts; the ones in flight finish, then the step fails.
import type { ForeachOutputs, ForeachStep } from '../../dsl/kinds/foreach';
import { renderTemplate } from '../../dsl/expressions';
import { failed, failureOf, ok, type StepHandler } from '../outcome';

type Iteration = ForeachOutputs['iterations'][number];

export const runForeach: StepHandler<ForeachStep> = async (step, { frame, runBlock }) => {
  const items = renderTemplate(step.items, frame.scope());
  if (!Array.isArray(items)) return failed(`\`items\` must be a list, got ${items === null ? 'null' : typeof items}`);
  if (items.length > step.maxItems) return failed(`${items.length} items is more than maxItems (${step.maxItems})`);
  const iterations: Iteration[] = items.map((item) => ({ item, status: 'not-run', steps: {} }));
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && next < items.length) {
      const index = next++;
      const iteration = iterations[index]!;
      const child = frame.child({ [step.as]: iteration.item });
      const outcome = await runBlock(step.body, child);
      iteration.steps = Object.fromEntries(Object.entries(child.ownRecords()).map(([id, r]) => [id, r.outputs ?? {}]));
      const failure = failureOf(outcome);
      if (failure !== undefined) {
        iteration.status = 'failed';
        iteration.error = failure;
        stop = true;
      } else {
        iteration.status = 'succeeded';
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(step.concurrency, items.length) }, worker));
  const outputs = { iterations };
  const failedAt = iterations.findIndex((i) => i.status === 'failed');
  if (failedAt >= 0) return failed(`item ${failedAt + 1} of ${items.length} failed: ${iterations[failedAt]!.error}`, outputs);
  return ok<ForeachOutputs>(outputs);
};
