// What `decide` and `fill` share: a prompt, evidence, a model, a confidence bar, and a person who
// decides when the model cannot.
import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { HumanFallback, RetryPolicyJson, StepBase } from '../compiled-base';
import { doc, Duration, ReminderFields, Route, StepId, type RetryDoc } from '../schema-parts';
import { isRecord } from '../values';
import { ROUTE } from '../route-labels';
import { DEFAULTS } from './defaults';
import type { CheckContext, CompileContext, ExpressionSite, KindNode, RouteDecl } from './kind';

export interface AdvisorStepBase extends StepBase {
  prompt: string;
  evidence: string[];
  model?: string;
  minConfidence: number;
  human: HumanFallback;
  timeoutMs: number;
  retry: RetryPolicyJson;
}

const HumanFallbackSchema = Type.Object(
  {
    deciders: Type.Optional(Type.Array(Type.String(), doc('People or `group:<name>` who may decide. Default: anyone.'))),
    timeout: Type.Optional(Duration),
    onTimeout: Type.Optional(Route),
    ...ReminderFields,
    signed: Type.Optional(
      Type.Boolean(doc("The person's answer must carry their SSH signature, by a key the people file lists for them (docs/approvals.md). Default false.")),
    ),
  },
  { additionalProperties: false, ...doc('Who decides when the model cannot (no key, unreachable, low confidence), and for how long the run waits.') },
);

export const advisorFields = {
  prompt: Type.String(doc('What the model (or the human) is asked.')),
  evidence: Type.Optional(Type.Array(StepId, doc('Steps whose outputs the model reads.'))),
  model: Type.Optional(Type.String(doc('Claude model id; default from the worker configuration.'))),
  minConfidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, ...doc('Below this confidence a human decides.') })),
  human: Type.Optional(HumanFallbackSchema),
};
export type AdvisorDoc = Static<TObject<typeof advisorFields>>;

export const ADVISOR_ACCEPTS = ['retry', 'timeout'];

/** The advisor part of a step (`decide` or `fill`), if it is an object. */
const advisorOf = (node: KindNode, key: string) => (isRecord(node.raw[key]) ? node.raw[key] : undefined);

export function advisorRoutes(node: KindNode, key: string): RouteDecl[] {
  const human = advisorOf(node, key)?.human;
  return isRecord(human) && human.onTimeout !== undefined
    ? [{ label: ROUTE.humanTimeout, path: [...node.path, key, 'human', 'onTimeout'], route: human.onTimeout }]
    : [];
}

export function advisorSites(node: KindNode, key: string): ExpressionSite[] {
  return [{ role: 'prompt', path: [...node.path, key, 'prompt'], value: advisorOf(node, key)?.prompt }];
}

/** Evidence names steps that must run before this one. */
export function checkEvidence(node: KindNode, key: string, ctx: CheckContext): void {
  const evidence = advisorOf(node, key)?.evidence;
  if (!Array.isArray(evidence)) return;
  evidence.forEach((id, i) => {
    if (typeof id === 'string') ctx.checkStepReference(node, id, [...node.path, key, 'evidence', i]);
  });
}

export function compileAdvisor(a: AdvisorDoc, raw: { timeout?: string; retry?: RetryDoc }, ctx: CompileContext): Omit<AdvisorStepBase, keyof StepBase> {
  const model = a.model ?? ctx.defaults.model;
  return {
    prompt: a.prompt,
    evidence: a.evidence ?? [],
    ...(model !== undefined && { model }),
    minConfidence: a.minConfidence ?? DEFAULTS.minConfidence,
    human: ctx.human(a.human),
    timeoutMs: ctx.ms(raw.timeout ?? ctx.defaults.timeout, DEFAULTS.advisorTimeout),
    retry: ctx.retry(DEFAULTS.advisorRetry, raw.retry),
  };
}
