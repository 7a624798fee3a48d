// Shared by `decide` and `fill`: ask Claude within the declared choices or schema, and hand
// the question to a human when the worker has no model, no model is reachable, its answers stay
// invalid, its confidence is below the step's bar, or the run's token budget is spent.
import { isCancellation, patched, scheduleActivity } from '@temporalio/workflow';
import type { Alert } from '../../dsl/alert';
import type { DecideStep } from '../../dsl/kinds/decide';
import type { FillStep } from '../../dsl/kinds/fill';
import { renderTemplate, stringify } from '../../dsl/expressions';
import { maskSensitive } from '../../dsl/sensitive';
import { ENGINE_ACTIVITY, type AdviceRequest, type AdviceResult } from '../../contract/activities';
import { labelText } from '../../contract/labels';
import { stepActivityOptions } from '../activity-options';
import { reasonOf } from '../failures';
import { eligiblePeople, SIGNED_ANSWERS_PATCH, timeoutText } from '../people';
import { questionHash } from '../../contract/signing';
import type { Frame } from '../run';
import type { DecisionRecord, Suggestion } from '../../contract/run';

export interface Answer {
  choice?: string;
  values?: Record<string, unknown>;
  record: DecisionRecord;
}

/** Why a person is asked when the worker has no model; reports and the CLI show it as is. */
export const NO_MODEL = 'no model configured on the worker (ANTHROPIC_API_KEY is not set)';

export type Advice = { ok: true; answer: Answer } | { ok: false; timedOut: string };

export async function adviseOrAsk(step: DecideStep | FillStep, frame: Frame): Promise<Advice> {
  const run = frame.run;
  const request = adviceRequest(step, frame);
  let why: string;
  let suggestion: Suggestion | undefined;
  const budget = run.input.options?.tokenBudget;
  if (!run.modelConfigured) {
    // Not a failure: the worker was set up without one, so a person is asked at once.
    why = NO_MODEL;
  } else if (budget !== undefined && run.tokensUsed >= budget) {
    why = `the run's token budget (${budget}) is spent`;
  } else {
    let result: AdviceResult | undefined;
    try {
      result = await scheduleActivity<AdviceResult>(
        ENGINE_ACTIVITY.askClaude,
        [request],
        stepActivityOptions(step.timeoutMs, step.retry, labelText({ kind: 'ask-claude', step: step.id })),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      why = `Claude could not answer: ${reasonOf(err)}`;
    }
    if (result) {
      run.spendTokens(result.usage);
      const meta = { reasoning: result.reasoning, confidence: result.confidence, model: result.model, latencyMs: result.latencyMs, usage: result.usage };
      if (result.outcome === 'answer' && result.confidence >= step.minConfidence) {
        const record: DecisionRecord = { step: step.id, decision: step.kind, by: 'claude', ...pick(result), ...meta, at: new Date().toISOString() };
        run.recordDecision(record);
        return { ok: true, answer: { ...pick(result), record } };
      }
      suggestion = { ...pick(result), reasoning: result.reasoning, confidence: result.confidence, model: result.model };
      why =
        result.outcome === 'invalid'
          ? `Claude's answers stayed outside the declared ${step.kind === 'decide' ? 'choices' : 'schema'} (${result.problem})`
          : `Claude's confidence ${result.confidence} is below ${step.minConfidence}`;
    }
  }
  return askHuman(step, frame, request, why!, suggestion);
}

async function askHuman(step: DecideStep | FillStep, frame: Frame, request: AdviceRequest, why: string, suggestion: Suggestion | undefined): Promise<Advice> {
  const run = frame.run;
  // Anyone may decide when no deciders are named, but the worker may still require signatures:
  // runs started before signed answers existed never asked (the patch keeps their histories replaying).
  const who =
    step.human.deciders.length || patched(SIGNED_ANSWERS_PATCH) ? await eligiblePeople(step.id, step.human.deciders, 'decide', run.runbook.name) : undefined;
  // Deciders named but none resolved (a misspelt group) must not mean "anyone may decide".
  if (step.human.deciders.length && who?.eligible.length === 0)
    return {
      ok: false,
      timedOut: `no one may decide: ${who.unknownGroups.length ? `${who.unknownGroups.join(', ')} not defined in the people file` : 'no deciders'}`,
    };
  const question = {
    decision: step.kind,
    prompt: request.prompt,
    ...(request.choices && { choices: request.choices }),
    ...(request.schema && { schema: request.schema }),
  };
  const answer = await run.humans.waitForDecision(
    {
      kind: 'decision',
      step: step.id,
      ...question,
      why,
      ...(suggestion && { suggestion }),
      eligible: who?.eligible ?? [],
      questionHash: questionHash(question),
      ...(request.evidence.length > 0 && { evidence: request.evidence.map((e) => ({ step: e.step, status: e.status })) }),
      ...((step.human.signed || who?.signaturesRequired) && { signed: true }),
      onTimeout: timeoutText(step.human.onTimeout),
    },
    step.human.timeoutMs,
    who?.notify && { ...who.notify, ...step.human.reminders },
  );
  if (!answer) return { ok: false, timedOut: run.stopRequested ? 'the alert resolved' : `no one decided within the human timeout (${why})` };
  const record: DecisionRecord = {
    step: step.id,
    decision: step.kind,
    by: answer.by,
    ...pick(answer),
    ...(answer.comment && { reasoning: answer.comment }),
    why,
    ...(answer.fingerprint && { fingerprint: answer.fingerprint }),
    ...(suggestion && { suggestion }),
    at: new Date().toISOString(),
  };
  run.recordDecision(record);
  return { ok: true, answer: { ...pick(answer), record } };
}

/** The answer itself, from the model's result or a person's. */
function pick(from: { choice?: string; values?: Record<string, unknown> }): { choice?: string; values?: Record<string, unknown> } {
  return { ...(from.choice !== undefined && { choice: from.choice }), ...(from.values !== undefined && { values: from.values }) };
}

function adviceRequest(step: DecideStep | FillStep, frame: Frame): AdviceRequest {
  // An investigation that recommends a choice of this decision is evidence for it, named or not.
  const investigations = Object.values(frame.run.runbook.steps).filter((s) => s.kind === 'investigate' && s.recommend === step.id && frame.record(s.id));
  const evidence = [...step.evidence, ...investigations.map((s) => s.id).filter((id) => !step.evidence.includes(id))];
  const { prompt, ...context } = modelContext(frame, step.prompt, evidence, step.model);
  return {
    ...context,
    stepId: step.id,
    kind: step.kind,
    prompt,
    ...(step.kind === 'decide' && { choices: Object.entries(step.choices).map(([name, c]) => ({ name, when: c.when })) }),
    ...(step.kind === 'fill' && { schema: step.schema }),
  };
}

/**
 * What a model is shown of the run: the runbook, the step's prompt rendered, the evidence steps'
 * records, the alert and the inputs, with sensitive inputs (and the alert fields they come from)
 * left out, and masked by value wherever else they appear.
 */
export function modelContext(frame: Frame, promptTemplate: string, evidenceIds: readonly string[], stepModel: string | undefined) {
  const run = frame.run;
  const runbook = run.runbook;
  const sensitive = Object.entries(runbook.inputs).filter(([, spec]) => spec.sensitive);
  const inputs = Object.fromEntries(Object.entries(run.inputs).filter(([name]) => !runbook.inputs[name]?.sensitive));
  const evidence = evidenceIds.map((id) => {
    const r = frame.record(id);
    return { step: id, status: r?.status ?? 'not run', outputs: r?.outputs ?? null, ...(r?.error && { error: r.error }) };
  });
  const model = stepModel ?? runbook.model;
  const context = {
    runbook: { name: runbook.name, ...(runbook.description && { description: runbook.description }) },
    prompt: stringify(renderTemplate(promptTemplate, frame.scope())),
    evidence,
    ...(run.input.alert && {
      alert: withoutSensitive(
        run.input.alert,
        sensitive.map(([, spec]) => spec.from).filter((f): f is string => !!f),
      ),
    }),
    inputs,
    ...(model && { model }),
  };
  // By value too: a sensitive value inside the prompt, an alert field or an output is masked wherever it is.
  return maskForModel(frame, context);
}

/** Masks the run's sensitive input values wherever they appear in what a model is about to see. */
export function maskForModel<T>(frame: Frame, value: T): T {
  const run = frame.run;
  const names = Object.entries(run.runbook.inputs).filter(([, spec]) => spec.sensitive);
  return maskSensitive(
    value,
    names.map(([name]) => [name, run.inputs[name]]),
  );
}

/** Alert fields that sensitive inputs come from are not sent to the model either. */
function withoutSensitive(alert: Alert, fields: string[]): Alert {
  const copy: Alert = { ...alert, labels: { ...alert.labels }, annotations: { ...alert.annotations } };
  for (const field of fields) {
    const [, section, key] = field.split('.');
    if ((section === 'labels' || section === 'annotations') && key) delete copy[section][key];
  }
  return copy;
}
