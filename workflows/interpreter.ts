// The interpreter: walks a block of steps, following `if`, `next`, `end`, `onFailure` and
// the routes that steps return. Each step kind lives in its own file under steps/.
import { ContinueAsNew, isCancellation } from '@temporalio/workflow';
import { FAIL, SUCCEED, type Route } from '../dsl/compiled-base';
import { ROUTE } from '../dsl/route-labels';
import type { CompiledStep } from '../dsl/kinds';
import { evaluateCondition, renderTemplate, stringify } from '../dsl/expressions';
import { continueAsNewIfDue } from './continue-as-new';
import { reasonOf } from './failures';
import { failed, type BlockOutcome, type StepContext, type StepHandler, type StepOutcome } from './outcome';
import { observeSeconds } from './metrics';
import { MAX_STEP_EXECUTIONS, type Frame } from './run';
import { checkApprovedPlan } from './plan';
import { runAction } from './steps/action';
import { runApprove } from './steps/approve';
import { runChild } from './steps/child';
import { runDecide } from './steps/decide';
import { runFill } from './steps/fill';
import { runForeach } from './steps/foreach';
import { runInvestigate } from './steps/investigate';
import { runParallel } from './steps/parallel';
import { runWait } from './steps/wait';

type Handlers = { [K in CompiledStep['kind']]: StepHandler<Extract<CompiledStep, { kind: K }>> };

const handlers: Handlers = {
  action: runAction,
  wait: runWait,
  parallel: runParallel,
  foreach: runForeach,
  runbook: runChild,
  end: async () => ({ ok: true, outputs: {} }),
  decide: runDecide,
  fill: runFill,
  investigate: runInvestigate,
  approve: runApprove,
};

export async function runBlock(entry: string, frame: Frame): Promise<BlockOutcome> {
  const run = frame.run;
  let current: string | null = entry;
  while (current !== null) {
    const step: CompiledStep = run.runbook.steps[current]!;
    if (run.stopRequested) return stopped(run.stopMessage(step.id, 'before'), step.id);
    if (frame.isTop) await continueAsNewIfDue(run, step.id);
    const outcome = await executeStep(step, frame);
    trail(step, frame, outcome);
    // A wait for a human or a poll ends early when the alert resolves; whatever it returned, stop.
    if (run.stopRequested) return stopped(run.stopMessage(step.id, 'during'), step.id);
    let route: Route | null;
    if (!outcome.ok) {
      if (step.onFailure === undefined || step.onFailure === FAIL)
        return { kind: 'failed', reason: `step \`${step.id}\` failed: ${outcome.error}`, stepId: step.id };
      route = step.onFailure;
    } else if (frame.record(step.id)?.status === 'skipped') {
      route = step.following;
    } else if (step.end !== undefined) {
      const reason = step.reason !== undefined ? stringify(renderTemplate(step.reason, frame.scope())) : `step \`${step.id}\` ended the run`;
      return { kind: 'ended', status: step.end, reason, stepId: step.id };
    } else {
      route = outcome.route !== undefined ? outcome.route : step.next;
    }
    if (route === FAIL) return { kind: 'failed', reason: `step \`${step.id}\` routed to \`fail\``, stepId: step.id };
    if (route === SUCCEED) return { kind: 'ended', status: 'success', reason: `step \`${step.id}\` routed to \`succeed\``, stepId: step.id };
    current = route;
  }
  return { kind: 'completed' };
}

/** The visit in the run's trail: what `runbook test` compares and covers, and the status query shows. */
function trail(step: CompiledStep, frame: Frame, outcome: StepOutcome): void {
  const status = frame.record(step.id)?.status ?? (outcome.ok ? 'succeeded' : 'failed');
  const route = outcome.ok ? outcome.taken : step.onFailure !== undefined && step.onFailure !== FAIL ? ROUTE.onFailure : undefined;
  frame.run.trailStep({ step: step.id, status, ...(route !== undefined && { route }) });
}

function stopped(reason: string, stepId: string): BlockOutcome {
  return { kind: 'ended', status: 'success', reason, stepId, stopped: true };
}

/** Runs one step and records it; expression and action errors become a failed step, cancellation propagates. */
async function executeStep(step: CompiledStep, frame: Frame): Promise<StepOutcome> {
  const run = frame.run;
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const record = (status: 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'running', extra: { outputs?: unknown; error?: string } = {}) => {
    frame.setRecord({ id: step.id, status, startedAt, ...(status !== 'running' && { endedAt: new Date().toISOString() }), ...extra });
    // `uses` steps are measured by their activity, per attempt (activities/run-action.ts).
    if (status !== 'running' && status !== 'skipped' && step.kind !== 'action')
      observeSeconds('stepSeconds', (Date.now() - started) / 1000, { runbook: run.runbook.name, kind: step.kind, action: step.kind, outcome: status });
  };

  const visits = frame.visit(step.id);
  const executed = run.countExecution();
  if (step.maxVisits !== undefined && visits > step.maxVisits) {
    const error = `visited ${visits} times, more than maxVisits (${step.maxVisits})`;
    record('failed', { error });
    return failed(error);
  }
  if (executed > MAX_STEP_EXECUTIONS) {
    const error = `the run has executed ${MAX_STEP_EXECUTIONS} steps; stopping a runaway loop`;
    record('failed', { error });
    return failed(error);
  }

  run.stepStarted(step);
  record('running');
  try {
    if (step.if !== undefined && !evaluateCondition(step.if, frame.scope())) {
      record('skipped', { outputs: {} });
      return { ok: true, outputs: {} };
    }
    const unapproved = checkApprovedPlan(step, frame);
    if (unapproved) {
      record('failed', { error: unapproved });
      return failed(unapproved);
    }
    const gate = step.kind === 'action' && step.effect === 'write' ? await run.guards.beforeWrite(step, () => frame.scope()) : undefined;
    if (gate && !gate.granted) {
      if (gate.route === 'fail') {
        record('failed', { error: gate.reason });
        return failed(gate.reason);
      }
      run.requestStop(`step \`${step.id}\` skipped by its fleet guard: ${gate.reason}`);
      record('skipped', { outputs: {}, error: gate.reason });
      return { ok: true, outputs: {} };
    }
    const ctx: StepContext = { frame, runBlock };
    let outcome: StepOutcome;
    try {
      outcome = await (handlers[step.kind] as StepHandler<CompiledStep>)(step, ctx);
    } finally {
      if (gate) run.guards.afterWrite(gate);
    }
    if (outcome.ok) record('succeeded', { outputs: outcome.outputs ?? {} });
    else record('failed', { error: outcome.error, ...(outcome.outputs !== undefined && { outputs: outcome.outputs }) });
    return outcome;
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (isCancellation(err)) {
      record('cancelled', { error: 'cancelled' });
      throw err;
    }
    const error = `${reasonOf(err)} (${step.loc})`;
    record('failed', { error });
    return failed(error);
  } finally {
    run.stepEnded(step);
  }
}
