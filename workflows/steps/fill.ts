// `fill`: Claude (or a human) fills values within the step's JSON Schema; later steps read
// them as `steps.<id>.outputs.<name>`, and the consuming action checks them again.
import type { FillStep } from '../../dsl/kinds/fill';
import { FAIL } from '../../dsl/compiled-base';
import { ROUTE } from '../../dsl/route-labels';
import { failed, ok, type StepHandler } from '../outcome';
import { adviseOrAsk } from './advisor';

export const runFill: StepHandler<FillStep> = async (step, { frame }) => {
  const advice = await adviseOrAsk(step, frame);
  if (!advice.ok) return step.human.onTimeout === FAIL ? failed(advice.timedOut) : ok({}, step.human.onTimeout, ROUTE.humanTimeout);
  return ok(advice.answer.values ?? {});
};
