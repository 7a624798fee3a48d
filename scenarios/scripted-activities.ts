// The activities of a `runbook test` worker. Every action is scripted: the real implementations
// are never registered, so no command, request or secret lookup can happen. The model is
// scripted too, unless --live-model asks the configured one (and the run still follows the
// scenario's choice, so every decision of the scenario is evaluated). People are resolved from
// the test file's groups or the groups file; audit and admission are the engine's own.
import { Context } from '@temporalio/activity';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Admission } from '../activities/admission/admission';
import { admissionActivities } from '../activities/admission/activity';
import { governorActivities } from '../activities/governor/activities';
import { auditActivities } from '../activities/humans/audit';
import { DEFAULT_FLEET_POLICY, type FleetPolicy } from '../contract/guards';
import { resolvePeople } from '../activities/humans/people';
import { loadPeopleFile } from '../activities/humans/people-file';
import { invalidInput } from '../activities/run-action';
import type {
  ActionRequest,
  AdviceRequest,
  AdviceResult,
  ClaudeActivities,
  InvestigateTurnRequest,
  InvestigateTurnResult,
  ScriptedChildActivities,
} from '../contract/activities';
import { ENGINE_ACTIVITY } from '../contract/activities';
import type { SignatureCheck, SignatureCheckRequest } from '../contract/signing';
import type { ActionCatalog } from '../dsl/catalog';
import { Unscripted, type ScenarioScripts } from './scripts';

/** The scripts of the scenarios running now, by their top workflow id. */
/**
 * The real governor runs on the test server, one per scenario (its own fleet). Nothing
 * terminates a scenario's runs behind its back, and time skips: the watchdog would only churn.
 */
export const SCENARIO_FLEET_POLICY: FleetPolicy = { ...DEFAULT_FLEET_POLICY, watchEveryMs: 86_400_000 };

export class ScenarioRegistry {
  private readonly byTop = new Map<string, ScenarioScripts>();

  /** Activities (by id) waiting to fail, so that failing siblings go one at a time. */
  private readonly failing = new Set<string>();

  constructor(private readonly client: Client) {}

  register(scripts: ScenarioScripts): () => void {
    this.byTop.set(scripts.topWorkflowId, scripts);
    return () => this.byTop.delete(scripts.topWorkflowId);
  }

  /**
   * Waits (at most a second) until no other activity of the workflow is pending. A scripted failure
   * waits for its siblings so that the run never cancels an activity the test server has not
   * started: the server leaves that run's workflow task open for good (temporalio/sdk-java#3088,
   * sdk-typescript#1058). Scripted siblings answer at once, so this only orders them. Siblings
   * that fail too go one at a time, lowest activity id first; the run then cancels the others,
   * which the heartbeat delivers and they honour (a clean cancellation the server handles).
   */
  async siblingsSettled(workflowId: string, activityId: string): Promise<void> {
    const context = Context.current();
    this.failing.add(activityId);
    try {
      for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 5))) {
        context.heartbeat();
        if (context.cancellationSignal.aborted) throw new CancelledFailure('cancelled while its sibling failed');
        const described = await this.client.workflowService.describeWorkflowExecution({ namespace: this.client.options.namespace, execution: { workflowId } });
        const others = (described.pendingActivities ?? []).map((a) => String(a.activityId)).filter((id) => id !== activityId);
        if (others.every((id) => this.failing.has(id) && Number(id) > Number(activityId))) return;
      }
    } finally {
      this.failing.delete(activityId);
    }
  }

  /** The scenario a workflow (a top run or one of its children) belongs to. */
  find(workflowId: string): ScenarioScripts {
    const scripts = this.byTop.get(workflowId.split('/')[0]!);
    if (!scripts) throw ApplicationFailure.nonRetryable(`workflow ${workflowId} belongs to no running scenario`, 'NoScenario');
    return scripts;
  }
}

/** What a scenario's answer to a signed step carries in place of an SSH signature; only `runbook test` workers accept it. */
export const SCRIPTED_SIGNATURE = 'scripted';
/** Its expiry: the test server skips time, so the stand-in never expires. */
export const SCRIPTED_SIGNATURE_EXPIRES = '9999-12-31T23:59:59Z';

export interface ScriptedWorkerOptions {
  registry: ScenarioRegistry;
  catalog: ActionCatalog;
  admission: Admission;
  peopleFile: string;
  /** --live-model: the real model answers, and its answers are compared with the scripts. */
  liveModel?: ClaudeActivities;
  /** Stops the test server's time skipping until the session lets go (a question to people is coming). */
  holdTime: () => Promise<void>;
}

export function scriptedActivities(options: ScriptedWorkerOptions): Record<string, (...args: never[]) => Promise<unknown>> {
  const { registry, catalog } = options;
  const workflowId = () => Context.current().info.workflowExecution?.workflowId ?? '';
  const actions = Object.fromEntries(
    [...catalog.values()].map((spec) => [
      spec.name,
      async (request: ActionRequest) => {
        const defaults = emptyOutputs(spec.output);
        const info = Context.current().info;
        const id = workflowId();
        const scripts = registry.find(id);
        // Parameters are checked as the real action would; secret references stay references (never resolved).
        if (!request.secretSites?.length) {
          const invalid = invalidInput(spec, request.stepId, request.with);
          if (invalid) throw invalid;
        }
        await scripts.beforeAction(id, request.stepId);
        const answer = scripted(() => scripts.action(id, request, info.attempt, info.activityId));
        if ('fails' in answer) await registry.siblingsSettled(id, info.activityId);
        if ('fails' in answer) throw ApplicationFailure.create({ type: 'ScriptedFailure', message: answer.fails, nonRetryable: answer.nonRetryable });
        return { ...defaults, ...answer.outputs };
      },
    ]),
  );
  /** Time stands still from here until the session has answered the question the step is about to ask. */
  const holdFor = async (scripts: ScenarioScripts, step: string) => {
    await options.holdTime();
    scripts.announcePeople(workflowId(), step);
  };
  const askClaude = async (request: AdviceRequest): Promise<AdviceResult> => {
    const scripts = registry.find(workflowId());
    await scripts.beforeAction(workflowId(), request.stepId);
    const answer = scripted(() => scripts.advice(workflowId(), request));
    if (scripts.scriptsHuman(workflowId(), request.stepId)) await holdFor(scripts, request.stepId);
    if (options.liveModel) {
      const live = await options.liveModel.askClaude(request);
      scripts.recordLiveAnswer(request, answer, live);
      // The run follows the scenario, so the decisions after this one are asked on the evidence the scenario scripts.
      return answer === 'unavailable' ? live : { ...answer, usage: live.usage, latencyMs: live.latencyMs };
    }
    if (answer === 'unavailable') throw ApplicationFailure.nonRetryable('the model is unavailable (scripted)', 'ModelUnavailable');
    return answer;
  };
  const scriptedChild: ScriptedChildActivities['scriptedChild'] = async ({ workflowId: child }) => registry.find(child).childOutcome(child);
  return {
    ...actions,
    [ENGINE_ACTIVITY.askClaude]: askClaude,
    [ENGINE_ACTIVITY.investigateTurn]: async (request: InvestigateTurnRequest): Promise<InvestigateTurnResult> => {
      const answer = scripted(() => registry.find(workflowId()).investigateTurn(workflowId(), request));
      if (answer === 'unavailable') throw ApplicationFailure.nonRetryable('the model is unavailable (scripted)', 'ModelUnavailable');
      return answer;
    },
    [ENGINE_ACTIVITY.resolvePeople]: async (names: string[], step?: string) => {
      const scripts = registry.find(workflowId());
      const people = resolvePeople(names, scripts.groups ?? (await loadPeopleFile(options.peopleFile)).groups);
      // A step that may ask no one fails at once; otherwise its question follows.
      if (step !== undefined && people.eligible.length > 0) await holdFor(scripts, step);
      return people;
    },
    // Scenarios script who answers, not their keys: a scripted answer to a signed step carries SCRIPTED_SIGNATURE.
    [ENGINE_ACTIVITY.checkSignature]: async (request: SignatureCheckRequest): Promise<SignatureCheck> =>
      request.signature === SCRIPTED_SIGNATURE
        ? { ok: true, fingerprint: `scripted:${request.by}`, keyType: 'scripted' }
        : { ok: false, reason: 'runbook test accepts only scripted signatures' },
    ...auditActivities,
    // The model is scripted (or live, by the scenario's choice), so there always is one.
    ...admissionActivities(options.admission, true),
    ...governorActivities(SCENARIO_FLEET_POLICY),
    scriptedChild,
  };
}

/** What the action returns when the scenario gives none of it: empty text, zero, false, empty lists. */
function emptyOutputs(schema: TSchema): Record<string, unknown> {
  try {
    const value = Value.Create(schema);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function scripted<T>(answer: () => T): T {
  try {
    return answer();
  } catch (err) {
    if (err instanceof Unscripted) throw ApplicationFailure.nonRetryable(err.message, 'Unscripted');
    throw err;
  }
}
