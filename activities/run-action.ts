// The Temporal side of actions: each action becomes an activity that resolves secrets,
// checks its input against the action's schema (again: values may come from an alert or a
// model), runs, and returns outputs that are redacted and size-capped for history.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActionSpec } from '../dsl/catalog';
import { validatorFor } from '../dsl/shape';
import { effectOf } from '../dsl/kinds/action';
import type { AnyAction, ActionContext } from './action';
import { heartbeatWhileRunning } from './heartbeat';
import { placeSecrets, redactSecrets, resolveSecrets, type SecretValues } from './secrets';
import { limitPayload } from './truncate';
import type { ActionActivity, ActionRequest } from '../contract/activities';
import { observeSeconds } from './metrics';

/** History stays readable: no single action result above this. */
export const MAX_RESULT_BYTES = 64 * 1024;

export function actionActivities(actions: readonly AnyAction[]): Record<string, ActionActivity> {
  return Object.fromEntries(actions.map((action) => [action.name, (request: ActionRequest) => executeAction(action, request)]));
}

export async function executeAction(action: AnyAction, request: ActionRequest): Promise<Record<string, unknown>> {
  const temporal = Context.current();
  const secrets = await resolveSecrets(request.secrets);
  const input = placeSecrets(request.with, request.secretSites ?? [], secrets);
  const invalid = invalidInput(action, request.stepId, input) ?? (request.readOnly && notARead(action, input, request.readOnly.declared));
  if (invalid) throw redactFailure(invalid, secrets);
  const context: ActionContext = {
    signal: temporal.cancellationSignal,
    heartbeat: (details) => temporal.heartbeat(details),
    log: temporal.log,
    stepId: request.stepId,
    runbook: request.runbook,
  };
  const stopHeartbeat = heartbeatWhileRunning();
  const started = Date.now();
  let outcome = 'failed';
  try {
    const outputs = (await action.run(input, context)) as Record<string, unknown>;
    outcome = 'succeeded';
    return limitPayload(redactSecrets(outputs, secrets), MAX_RESULT_BYTES);
  } catch (err) {
    if (err instanceof CancelledFailure || temporal.cancellationSignal.aborted) outcome = 'cancelled';
    throw redactFailure(err, secrets);
  } finally {
    stopHeartbeat();
    // A `uses` step's duration is measured here, per attempt: recording it from the workflow costs
    // a sink call per step, which the interpreter bench measured (ratio +0.04 on no-op steps).
    const undo = request.stepId.endsWith('.compensate');
    observeSeconds('stepSeconds', (Date.now() - started) / 1000, { runbook: request.runbook, kind: undo ? 'undo' : 'action', action: action.name, outcome });
  }
}

/** The failure for parameters the action's schema refuses (values may come from an alert or a model), or undefined. */
export function invalidInput(action: Pick<ActionSpec, 'name' | 'input'>, stepId: string, input: unknown): ApplicationFailure | undefined {
  const validate = validatorFor(action.input);
  if (validate(input)) return undefined;
  const problems = (validate.errors ?? []).map(
    (e) => `${e.instancePath ? '`with' + e.instancePath.replace(/\//g, '.') + '`' : '`with`'} ${e.message ?? 'is invalid'}`,
  );
  return ApplicationFailure.create({ type: 'InvalidInput', message: `step \`${stepId}\` (${action.name}): ${problems.join('; ')}`, nonRetryable: true });
}

/**
 * An investigation's tool call must only read, whatever the workflow decided: the action's effect
 * with these parameters is a read, or the runbook declared the tool a read and the parameters the
 * action pins (a `shell` command, an `http` method) have an allowed value.
 */
export function notARead(action: ActionSpec, input: unknown, declared: string | undefined): ApplicationFailure | undefined {
  const refuse = (why: string) =>
    ApplicationFailure.create({ type: 'NotReadOnly', message: `${action.name} refused as an investigation tool: ${why}`, nonRetryable: true });
  if (action.asTool === 'never') return refuse('it is not a read');
  const params = input as Record<string, unknown>;
  if (effectOf(action, params) === 'read') return undefined;
  if (typeof action.asTool !== 'object') return refuse('it would write with these parameters');
  if (declared === undefined) return refuse('the runbook did not declare it read-only');
  for (const [key, allowed] of Object.entries(action.asTool.pin)) {
    if (params[key] === undefined) return refuse(`\`${key}\` is not set`);
    if (allowed !== true && !allowed.includes(params[key] as string))
      return refuse(`\`${key}\` is ${JSON.stringify(params[key])}, not ${allowed.join(' or ')}`);
  }
  return undefined;
}

function redactFailure(err: unknown, secrets: SecretValues): unknown {
  if (secrets.size === 0) return err;
  // A cancelled command's message names its argv, which may hold a secret too.
  if (err instanceof CancelledFailure) return new CancelledFailure(redactSecrets(err.message, secrets), redactSecrets(err.details ?? [], secrets) as unknown[]);
  if (err instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      type: err.type ?? undefined,
      message: redactSecrets(err.message, secrets),
      nonRetryable: err.nonRetryable ?? false,
      details: redactSecrets(err.details ?? [], secrets) as unknown[],
    });
  }
  return ApplicationFailure.create({ message: redactSecrets(err instanceof Error ? err.message : String(err), secrets) });
}
