// `decide`: Claude (or a person) picks one of the declared choices; the run follows it.
import { Type, type Static } from '@sinclair/typebox';
import type { Route } from '../compiled-base';
import { doc, Route as RouteSchema, STEP_ID_PATTERN } from '../schema-parts';
import { isRecord } from '../values';
import { choiceRoute } from '../route-labels';
import { ADVISOR_ACCEPTS, advisorFields, advisorRoutes, advisorSites, checkEvidence, compileAdvisor, type AdvisorDoc, type AdvisorStepBase } from './advisor';
import { propertyNames, type KindDescriptor, type RouteDecl } from './kind';

export interface DecideStep extends AdvisorStepBase {
  kind: 'decide';
  choices: Record<string, { when: string; next: Route | null }>;
}

/** What `steps.<id>.outputs` holds after a decision. */
export const DecideOutputs = Type.Object({
  choice: Type.Union([Type.String(), Type.Null()]),
  reasoning: Type.String(),
  confidence: Type.Number(),
  decidedBy: Type.String(),
  model: Type.String(),
});
export type DecideOutputs = Static<typeof DecideOutputs>;

const ChoiceSchema = Type.Object(
  { when: Type.String(doc('When this choice fits; the model reads it.')), next: Type.Optional(RouteSchema) },
  { additionalProperties: false },
);

const DecideSchema = Type.Object(
  {
    ...advisorFields,
    choices: Type.Record(Type.String({ pattern: STEP_ID_PATTERN }), ChoiceSchema, { minProperties: 2, ...doc('The declared branches.') }),
  },
  { additionalProperties: false, ...doc('Claude picks one declared choice from the evidence.') },
);
type DecideDoc = AdvisorDoc & Static<typeof DecideSchema>;

export const decide: KindDescriptor<DecideStep, { decide?: DecideDoc }> = {
  kind: 'decide',
  key: 'decide',
  accepts: ADVISOR_ACCEPTS,
  fields: () => ({ decide: Type.Optional(DecideSchema) }),
  replacesNext: (node) => isRecord(node.raw.decide) && isRecord(node.raw.decide.choices),
  routes(node) {
    const choices = isRecord(node.raw.decide) && isRecord(node.raw.decide.choices) ? node.raw.decide.choices : {};
    const out: RouteDecl[] = Object.entries(choices).map(([name, choice]) => {
      const next = isRecord(choice) ? choice.next : undefined;
      // A choice without `next` goes on as the step would.
      return next !== undefined
        ? { label: choiceRoute(name), path: [...node.path, 'decide', 'choices', name, 'next'], route: next }
        : { label: choiceRoute(name), path: [...node.path, 'decide', 'choices', name] };
    });
    return [...out, ...advisorRoutes(node, 'decide')];
  },
  expressions: (node) => advisorSites(node, 'decide'),
  check(node, ctx) {
    if (node.raw.next !== undefined)
      ctx.report('misplaced-key', [...node.path, 'next'], 'a `decide` step routes through its choices', 'put `next` on each choice', 'key');
    checkEvidence(node, 'decide', ctx);
  },
  outputs: () => propertyNames(DecideOutputs),
  compile(raw, ctx) {
    const d = raw.decide!;
    const choices = Object.fromEntries(Object.entries(d.choices).map(([name, c]) => [name, { when: c.when, next: c.next ?? ctx.base.next }]));
    return { kind: 'decide', ...compileAdvisor(d, raw, ctx), choices };
  },
  describe: () => 'decide',
};
