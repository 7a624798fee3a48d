// What the outside world answers in one scenario: each action call and attempt, the model's
// advice, the people's answers and child runbooks' outcomes, read from the scenario's scripts.
// Anything the scenario does not script is a problem that fails the scenario, never a real call.
import { isDeepStrictEqual } from 'node:util';
import type { ActionRequest, AdviceRequest, AdviceResult, InvestigateTurnRequest, InvestigateTurnResult, ScriptedChildOutcome } from '../contract/activities';
import type { Pending } from '../contract/run';
import type { Scenario, StepScript } from '../dsl/test-file';

export type ActionAnswer = { outputs: Record<string, unknown> } | { fails: string; nonRetryable: boolean };

/** What the runner sends for a waiting approval or decision: updates, or nothing (the wait times out). */
export type HumanMove =
  | { kind: 'approve'; by: string; comment?: string }
  | { kind: 'reject'; by: string; reason: string }
  | { kind: 'decide'; by: string; choice?: string; values?: Record<string, unknown>; comment?: string };

type CallScript = Pick<StepScript, 'outputs' | 'fails' | 'nonRetryable' | 'attempts'>;

const NO_TOKENS = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/** What the configured model answered where the scenario scripts an answer (--live-model). */
export interface LiveAnswer {
  step: string;
  kind: 'decide' | 'fill';
  /** The scenario's choice or values; undefined when it scripts the model as unavailable or invalid. */
  expected?: unknown;
  got?: unknown;
  agreed: boolean;
  confidence: number;
  tokens: number;
  latencyMs: number;
}

/** A step ran that the scenario did not script: the activity fails and so does the scenario. */
export class Unscripted extends Error {}

export class ScenarioScripts {
  /** Problems found while the run went on, in order; any one fails the scenario. */
  readonly problems: string[] = [];
  /** Activity ids per workflow and step, in the order their first attempt came: the call number. */
  private readonly calls = new Map<string, string[]>();
  private readonly runThrough = new Set<string>();
  /** --live-model: the model's answers beside the scripted ones. */
  readonly live: LiveAnswer[] = [];
  /** Steps about to ask people, announced while the test server's time skipping is held for them. */
  private readonly gates: Array<{ workflowId: string; step: string }> = [];
  private wakeSession: (() => void) | undefined;
  /** Sends the alert's resolution (set by the session that drives the run). */
  resolveAlert: () => Promise<void> = async () => undefined;

  constructor(
    private readonly scenario: Scenario,
    readonly topWorkflowId: string,
    /** Where the scenario is written, `file:line:col`, for messages. */
    readonly where: string,
    /** Who `group:<name>` means, when the test file says; otherwise the groups file. */
    readonly groups?: Readonly<Record<string, readonly string[]>>,
  ) {}

  /** The scripts for the steps of a workflow of this scenario: the top run, or a child run through with `run:`. */
  scriptsFor(workflowId: string): Record<string, StepScript> | undefined {
    if (workflowId === this.topWorkflowId) return this.scenario.steps ?? {};
    if (!workflowId.startsWith(`${this.topWorkflowId}/`)) return undefined;
    let scripts: Record<string, StepScript> | undefined = this.scenario.steps ?? {};
    // Child ids are `<parent>/<step>` or `<parent>/<step>-<n>` (contract/labels.ts); step ids have no `-`.
    for (const segment of workflowId.slice(this.topWorkflowId.length + 1).split('/')) {
      const step = segment.replace(/-\d+$/, '');
      const run: StepScript['run'] = scripts?.[step]?.run;
      scripts = run ? (run.steps as Record<string, StepScript>) : undefined;
    }
    return scripts;
  }

  /** How a child run ends: run through, or the outcome its parent's script gives. */
  childOutcome(workflowId: string): ScriptedChildOutcome {
    const parent = workflowId.slice(0, workflowId.lastIndexOf('/'));
    const step = workflowId.slice(workflowId.lastIndexOf('/') + 1).replace(/-\d+$/, '');
    const script = this.scriptsFor(parent)?.[step];
    if (!script) {
      this.unscripted(step);
      return { kind: 'failed', error: `step \`${step}\` ran but the scenario says nothing about it` };
    }
    if (script.run) {
      this.runThrough.add(workflowId);
      return { kind: 'run' };
    }
    if (script.status === 'failed') return { kind: 'failed', error: script.error ?? 'the child runbook failed (scripted)' };
    return { kind: 'succeeded', outputs: script.outputs ?? {} };
  }

  /** The activity just before a question to people holds time (scenarios/session.ts answers, then lets go). */
  announcePeople(workflowId: string, step: string): void {
    this.gates.push({ workflowId, step });
    this.wakeSession?.();
  }

  nextGate(): { workflowId: string; step: string } | undefined {
    return this.gates.shift();
  }

  /** Resolves when a step announces a question (at once if one is waiting). */
  gateAnnounced(): Promise<'gate'> {
    return new Promise((resolve) => {
      this.wakeSession = () => resolve('gate');
      if (this.gates.length > 0) resolve('gate');
    });
  }

  /** Whether the scenario has a person answer this decide or fill step (so its model call holds time for the question). */
  scriptsHuman(workflowId: string, stepId: string): boolean {
    return this.scriptsFor(workflowId)?.[stepId]?.human !== undefined;
  }

  /** Child runs that run their own steps, in the order they started. */
  childrenRunThrough(): string[] {
    return [...this.runThrough];
  }

  /** Before an action or a model call of the top run answers: if the alert resolves during its step, the resolution is in history first. */
  async beforeAction(workflowId: string, stepId: string): Promise<void> {
    if (workflowId === this.topWorkflowId && this.scenario.alert?.resolvesDuring === stepId) await this.resolveAlert();
  }

  action(workflowId: string, request: ActionRequest, attempt: number, activityId: string): ActionAnswer {
    const scripts = this.scriptsFor(workflowId) ?? {};
    if (request.stepId.endsWith('.compensate')) {
      const undo = scripts[request.stepId.slice(0, -'.compensate'.length)]?.compensate;
      return undo?.fails !== undefined ? { fails: undo.fails, nonRetryable: undo.nonRetryable ?? false } : { outputs: undo?.outputs ?? {} };
    }
    const script = scripts[request.stepId];
    if (!script) throw this.unscripted(request.stepId);
    const n = this.callNumber(`${workflowId}|${request.stepId}`, activityId);
    const sequence: CallScript[] | undefined = script.polls?.map((outputs) => ({ outputs })) ?? script.calls;
    const what = script.polls ? 'polls' : 'calls';
    const call: CallScript | undefined = sequence ? sequence[n] : script;
    if (!call) throw this.problem(`step \`${request.stepId}\` ran ${n + 1} times; the scenario scripts ${sequence!.length} ${what} (${this.where})`);
    const answer = call.attempts ? call.attempts[attempt - 1] : call;
    if (!answer)
      throw this.problem(`step \`${request.stepId}\` was tried ${attempt} times; the scenario scripts ${call.attempts!.length} attempts (${this.where})`);
    return answer.fails !== undefined ? { fails: answer.fails, nonRetryable: answer.nonRetryable ?? false } : { outputs: answer.outputs ?? {} };
  }

  /** The model's scripted answer; `unavailable` when the scenario says it cannot be reached. */
  advice(workflowId: string, request: AdviceRequest): AdviceResult | 'unavailable' {
    const script = this.scriptsFor(workflowId)?.[request.stepId];
    if (!script) throw this.unscripted(request.stepId);
    if (script.model === 'unavailable') return 'unavailable';
    const base = { reasoning: script.reasoning ?? 'scripted', confidence: script.confidence ?? 1, model: 'scripted', usage: NO_TOKENS, latencyMs: 0, calls: 1 };
    if (script.model === 'invalid')
      return { ...base, outcome: 'invalid', confidence: 0, problem: 'scripted: the model kept answering outside what the step allows' };
    return {
      ...base,
      outcome: 'answer',
      ...(script.choice !== undefined && { choice: script.choice }),
      ...(script.values !== undefined && { values: script.values }),
    };
  }

  /** An investigation's scripted model turn, by how many turns came before it; `unavailable` when the scenario says so. */
  investigateTurn(workflowId: string, request: InvestigateTurnRequest): InvestigateTurnResult | 'unavailable' {
    const script = this.scriptsFor(workflowId)?.[request.stepId];
    if (!script) throw this.unscripted(request.stepId);
    if (script.model === 'unavailable') return 'unavailable';
    const n = request.transcript.length;
    const turn = script.turns?.[n];
    if (!turn)
      throw this.problem(`step \`${request.stepId}\` asked the model for turn ${n + 1}; the scenario scripts ${script.turns?.length ?? 0} (${this.where})`);
    const base = { model: 'scripted', usage: NO_TOKENS, latencyMs: 0 };
    if (turn.finding) {
      const { hypotheses = [], ...rest } = turn.finding;
      return { ...base, outcome: 'finding', finding: { ...rest, hypotheses: hypotheses.map((h) => ({ ...h, support: h.support ?? [] })) } };
    }
    return {
      ...base,
      outcome: 'calls',
      calls: turn.calls!.map((c, i) => ({ id: `s${n}-${i}`, tool: c.tool, input: c.input ?? {}, reason: c.reason ?? 'scripted' })),
    };
  }

  recordLiveAnswer(request: AdviceRequest, scripted: AdviceResult | 'unavailable', live: AdviceResult): void {
    const pick = (r: AdviceResult) => (request.kind === 'decide' ? r.choice : r.values);
    const expected = scripted === 'unavailable' || scripted.outcome !== 'answer' ? undefined : pick(scripted);
    const got = live.outcome === 'answer' ? pick(live) : undefined;
    const { input, output, cacheRead, cacheWrite } = live.usage;
    this.live.push({
      step: request.stepId,
      kind: request.kind,
      ...(expected !== undefined && { expected }),
      ...(got !== undefined && { got }),
      agreed: expected !== undefined && isDeepStrictEqual(expected, got),
      confidence: live.confidence,
      tokens: input + output + cacheRead + cacheWrite,
      latencyMs: live.latencyMs,
    });
  }

  /** What people do about a waiting request: updates to send (none: nobody answers), or undefined after reporting it unscripted. */
  human(workflowId: string, pending: Pending): HumanMove[] | undefined {
    const script = this.scriptsFor(workflowId)?.[pending.step];
    if (pending.kind === 'approval') {
      if (!script) return void this.unscripted(pending.step);
      if (script.approve) return script.approve.map((by) => ({ kind: 'approve', by }));
      if (script.reject) return [{ kind: 'reject', ...script.reject }];
      return [];
    }
    const human = script?.human;
    if (human === undefined) {
      this.problem(
        `step \`${pending.step}\` asked a person to ${pending.decision} (${pending.why}), and the scenario says nothing about \`human\` (${this.where})`,
      );
      return undefined;
    }
    if (human === 'timeout') return [];
    return [{ kind: 'decide', ...human }];
  }

  private callNumber(key: string, activityId: string): number {
    const seen = this.calls.get(key) ?? [];
    if (!seen.includes(activityId)) seen.push(activityId);
    this.calls.set(key, seen);
    return seen.indexOf(activityId);
  }

  private unscripted(stepId: string): Unscripted {
    return this.problem(`step \`${stepId}\` ran but the scenario says nothing about it (${this.where})`);
  }

  problem(message: string): Unscripted {
    if (!this.problems.includes(message)) this.problems.push(message);
    return new Unscripted(message);
  }
}
