// `parallel`: branches run at once; the first failure cancels the others (their running
// activities are cancelled, shell commands killed) and fails the step.
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { ParallelStep } from '../../dsl/kinds/parallel';
import { failed, failureOf, ok, type BlockOutcome, type StepHandler } from '../outcome';

export const runParallel: StepHandler<ParallelStep> = async (step, { frame, runBlock }) => {
  const siblings = new CancellationScope();
  let firstFailure: { branch: string; reason: string } | undefined;
  const branches = step.branches.map((branch) =>
    siblings
      .run(() => runBlock(branch, frame))
      .then((outcome: BlockOutcome) => {
        const reason = failureOf(outcome);
        if (reason !== undefined && !firstFailure) {
          firstFailure = { branch, reason };
          siblings.cancel();
        }
      }),
  );
  const settled = await Promise.allSettled(branches);
  for (const s of settled) {
    if (s.status !== 'rejected') continue;
    // Siblings we cancelled are expected; anything else (the run itself cancelled) goes up.
    if (isCancellation(s.reason) && firstFailure && !CancellationScope.current().consideredCancelled) continue;
    throw s.reason;
  }
  if (firstFailure) return failed(`branch \`${firstFailure.branch}\` failed: ${firstFailure.reason}`);
  return ok({});
};
