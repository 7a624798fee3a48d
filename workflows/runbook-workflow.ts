// The interpreter workflow: its input is the compiled runbook, so history holds the exact
// definition that ran. Failure and cancellation run the compensations before the run ends.
//
// Versions are workflow types. A change that would alter the commands of runs recorded before
// it gets a new type, and the previous type stays registered, unchanged in behaviour, for the
// runs already in flight (and their continuations and children). Unlike `patched()`, which in
// this SDK adds a marker and a TemporalChangeVersion upsert to every new run for every patch,
// this costs new runs nothing. docs/extending.md lists the types.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  ContinueAsNew,
  isCancellation,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { renderValue } from '../dsl/expressions';
import { resolveInputs } from '../dsl/inputs';
import { ADMISSION_PATCH, admitRunbook } from './admission';
import { compensate } from './compensation';
import { reasonOf } from './failures';
import { runBlock } from './interpreter';
import { failureOf, type BlockOutcome } from './outcome';
import { HANDLER_DESCRIPTIONS, statusQuery } from '../contract/messages';
import { count } from './metrics';
import { Run } from './run';
import { remediationAttributes, RUNBOOK_NAME } from '../contract/search-attributes';
import type { RunFailureDetails, RunInput, RunResult } from '../contract/run';

/** Marks runs of the older types that pass the fleet guards. */
const GUARDS_PATCH = 'fleet-guards';

/**
 * The current version: what starters start. Every run is admitted first (workflows/admission.ts),
 * every write step passes the fleet guards (workflows/guards.ts), and the run's end is its last
 * RemediationStatus (`succeeded`, `failed`, `cancelled`): one more history event per run, so that
 * visibility queries on RemediationStatus find closed runs by how they ended.
 */
export async function runbookV4(input: RunInput): Promise<RunResult> {
  return interpret(input, { admit: true, guarded: true, terminalStatus: true });
}

/** Version 3, for runs recorded before the terminal RemediationStatus: their status stays where it last was. */
export async function runbookV3(input: RunInput): Promise<RunResult> {
  return interpret(input, { admit: true, guarded: true, terminalStatus: false });
}

/**
 * Version 2, for runs recorded before fleet guards existed: they replay unguarded. A run of this
 * type started now (by anyone) passes the guards all the same.
 */
export async function runbookV2(input: RunInput): Promise<RunResult> {
  return interpret(input, { admit: true, guarded: patched(GUARDS_PATCH), terminalStatus: false });
}

/**
 * Version 1, for runs recorded before admission existed: they replay as they ran. A run of this
 * type started now (by anyone, continuations included) gets the admission check all the same.
 */
export async function runbookWorkflow(input: RunInput): Promise<RunResult> {
  const admit = patched(ADMISSION_PATCH);
  return interpret(input, { admit, guarded: admit && patched(GUARDS_PATCH), terminalStatus: false });
}

interface Version {
  admit: boolean;
  guarded: boolean;
  /** Whether the run's end sets RemediationStatus (runbookV4 on). */
  terminalStatus: boolean;
}

async function interpret(input: RunInput, version: Version): Promise<RunResult> {
  const run = new Run(input, version);
  setHandler(statusQuery, () => run.view(), { description: HANDLER_DESCRIPTIONS.status });
  // Nothing that acts or records (people's messages included) is registered before admission.
  if (version.admit) run.useWorker(await admitRunbook(input.runbook));
  run.humans.register();
  run.guards.register();
  publishSearchAttributes(input);
  if (!input.resume) count('runsStarted', { runbook: input.runbook.name });

  // Anyone with access to the namespace can start this workflow, so the input is checked again here.
  const checked = resolveInputs(input.runbook.inputs, input.inputs, input.alert);
  if (checked.problems.length > 0) {
    run.setStatus('failed');
    count('runsEnded', { runbook: input.runbook.name, outcome: 'failed' });
    throw ApplicationFailure.create({ type: 'InvalidInput', message: `invalid input: ${checked.problems.join('; ')}`, nonRetryable: true });
  }
  run.useCheckedInputs(checked.values);

  let outcome: BlockOutcome;
  try {
    outcome = await runBlock(input.resume?.at ?? input.runbook.entry, run.top);
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (!isCancellation(err)) return await failRun(run, reasonOf(err));
    await compensate(run);
    run.setStatus('cancelled');
    count('runsEnded', { runbook: run.runbook.name, outcome: 'cancelled' });
    await run.guards.ended(false);
    throw err;
  }
  const failure = failureOf(outcome);
  if (failure !== undefined) return await failRun(run, failure);
  if (outcome.kind === 'ended' && outcome.stopped) return await succeed(run, {}, outcome.reason);
  let outputs: Record<string, unknown>;
  try {
    outputs = renderValue(input.runbook.outputs, run.top.scope()) as Record<string, unknown>;
  } catch (err) {
    return await failRun(run, `cannot compute the runbook outputs: ${reasonOf(err)}`);
  }
  return await succeed(run, outputs);
}

async function succeed(run: Run, outputs: Record<string, unknown>, stopped?: string): Promise<RunResult> {
  run.setStatus('succeeded');
  count('runsEnded', { runbook: run.runbook.name, outcome: 'succeeded' });
  // Let approvals or decisions being recorded finish, so their senders get an answer.
  await condition(allHandlersFinished);
  await run.humans.drainNotices();
  await run.guards.ended(false);
  const steps = Object.fromEntries(Object.entries(run.top.allRecords()).map(([id, { outputs: _, ...rest }]) => [id, rest]));
  const trail = run.view().trail;
  return { status: 'succeeded', runbook: run.runbook.name, hash: run.runbook.hash, outputs, steps, ...(stopped !== undefined && { stopped }), trail };
}

async function failRun(run: Run, reason: string): Promise<never> {
  await compensate(run);
  run.setStatus('failed');
  count('runsEnded', { runbook: run.runbook.name, outcome: 'failed' });
  await condition(allHandlersFinished);
  const undo = run.compensationSummary();
  await run.humans.drainNotices();
  await run.guards.ended(true, reason);
  const { trail, compensations } = run.view();
  const details: RunFailureDetails = { trail, compensations };
  throw ApplicationFailure.create({ type: 'RunbookFailed', message: `${reason}${undo}`, nonRetryable: true, details: [details] });
}

/** Runs started by our clients carry their search attributes already; others (the UI's Start Workflow) get them here. */
function publishSearchAttributes(input: RunInput): void {
  if (workflowInfo().typedSearchAttributes.get(RUNBOOK_NAME) !== undefined) return;
  upsertSearchAttributes(remediationAttributes(input.runbook, input.inputs, input.alert));
}
