// `decide`: Claude (or a human) picks one of the declared choices; the run follows it.
import type { DecideOutputs, DecideStep } from '../../dsl/kinds/decide';
import { FAIL } from '../../dsl/compiled-base';
import { choiceRoute, ROUTE } from '../../dsl/route-labels';
import { failed, ok, type StepHandler } from '../outcome';
import { adviseOrAsk } from './advisor';

export const runDecide: StepHandler<DecideStep> = async (step, { frame }) => {
  const advice = await adviseOrAsk(step, frame);
  if (!advice.ok)
    return step.human.onTimeout === FAIL
      ? failed(advice.timedOut)
      : ok<DecideOutputs>(
          { choice: null, decidedBy: 'nobody', reasoning: advice.timedOut, confidence: 0, model: '' },
          step.human.onTimeout,
          ROUTE.humanTimeout,
        );
  const { record, choice } = advice.answer;
  // Only a declared choice can get here: the model's answer and the human's were both checked.
  const route = step.choices[choice!]!.next;
  return ok<DecideOutputs>(
    { choice: choice!, reasoning: record.reasoning ?? '', confidence: record.confidence ?? 1, decidedBy: record.by, model: record.model ?? '' },
    route,
    choiceRoute(choice!),
  );
};
