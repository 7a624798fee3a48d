// One scenario, run: start the runbook's workflow on the test server (which skips time on its
// own), answer each question to people as the scenario says while time is held for it, send the
// alert's resolution when its step comes, and at the end read what happened.
import type { CompiledRunbook } from '../dsl/compiled';
import { randomUUID } from 'node:crypto';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { alertResolvedSignal, approveUpdate, decideUpdate, rejectUpdate, statusQuery } from '../contract/messages';
import type { Pending, RunResult, StatusView, TrailEntry } from '../contract/run';
import type { Alert } from '../dsl/alert';
import { resolveInputs } from '../dsl/inputs';
import type { Scenario } from '../dsl/test-file';
import { failureReason, runFailureDetails } from '../temporal/run-failure';
import { ensureGovernor } from '../activities/governor/activities';
import { startRun } from '../temporal/start-run';
import { SCENARIO_FLEET_POLICY, SCRIPTED_SIGNATURE, SCRIPTED_SIGNATURE_EXPIRES } from './scripted-activities';
import type { ServerTime } from './server-time';
import { observe } from './observe';
import type { TestCase } from './load-tests';
import { ScenarioScripts, type HumanMove, type LiveAnswer } from './scripts';

/** What a scenario's run did, as its expectations and the coverage read it. */
export interface Actual {
  status: 'succeeded' | 'failed' | 'stopped';
  error?: string;
  outputs: Record<string, unknown>;
  /** Top-level step visits. */
  path: TrailEntry[];
  compensations: string[];
  asked: Array<{ step: string; who: string[] }>;
  /** Updates the workflow refused (a scenario may mean them, e.g. the requester trying to approve). */
  refused: string[];
  /** Every visit per runbook, children run through included, for coverage. */
  trails: Array<{ runbook: string; trail: TrailEntry[] }>;
  /** From start to end on the server's clock: the timers, timeouts and backoff the scenario did not wait for. */
  runTimeMs: number;
}

export interface SessionHost {
  client: Client;
  taskQueue: string;
  time: ServerTime;
  /** Where the scripted activities find this scenario's scripts. */
  register(scripts: ScenarioScripts): () => void;
}

/** Whether a run of this runbook (or of a child it runs) can reach a write step, and so its fleet's governor. */
function writes(runbook: CompiledRunbook): boolean {
  return Object.values(runbook.steps).some((s) => s.kind === 'action' && s.effect === 'write') || Object.values(runbook.children).some(writes);
}

/** Past this wall time a scenario fails: something is waiting that time cannot move. */
const WALL_LIMIT_MS = 60_000;
/** How often a session looks at a run that has not ended (stuck, out of time). */
const WATCH_MS = 500;
/** How long a held step may take to show its question. */
const GATE_MS = 5_000;

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runSession(host: SessionHost, test: TestCase): Promise<{ actual?: Actual; problems: string[]; live: LiveAnswer[] }> {
  const { runbook, scenario, where } = test;
  const alert = scenario.alert && alertOf(scenario.alert);
  const inputs = resolveInputs(runbook.inputs, scenario.inputs ?? {}, alert);
  if (inputs.problems.length > 0) return { problems: inputs.problems.map((p) => `${p} (${where})`), live: [] };
  const workflowId = `test-${runbook.name}-${randomUUID().slice(0, 8)}`;
  const scripts = new ScenarioScripts(scenario, workflowId, where, test.groups);
  const unregister = host.register(scripts);
  try {
    // The scenario's own governor is up before its first write asks for it (saves a failed signal and an activity).
    if (writes(runbook)) await ensureGovernor(host.client, host.taskQueue, SCENARIO_FLEET_POLICY, workflowId);
    const handle = await startRun(host.client, host.taskQueue, {
      runbook,
      inputs: inputs.values,
      ...(alert && { alert }),
      startedBy: scenario.startedBy ?? 'runbook-test',
      workflowId,
      // Each scenario is a fleet of its own: no scenario's rates, budgets or breakers touch another's.
      options: { fleet: workflowId },
    });
    const session = new Session(host, handle, scripts, scenario, runbook.name);
    scripts.resolveAlert = () => session.resolveAlert();
    const actual = await session.drive();
    return { actual, problems: scripts.problems, live: scripts.live };
  } finally {
    unregister();
  }
}

class Session {
  private readonly answered = new Set<string>();
  private readonly asked: Actual['asked'] = [];
  private readonly refused: string[] = [];
  private resolutionSent = false;

  constructor(
    private readonly host: SessionHost,
    private readonly handle: WorkflowHandle,
    private readonly scripts: ScenarioScripts,
    private readonly scenario: Scenario,
    private readonly runbookName: string,
  ) {}

  async drive(): Promise<Actual> {
    const started = Date.now();
    const settled = ending(this.handle);
    let ended: Ended | undefined;
    while (!ended) {
      const gate = this.scripts.nextGate();
      if (gate) {
        try {
          await this.answerGate(gate.workflowId, gate.step);
        } finally {
          await this.host.time.release();
        }
        continue;
      }
      const next = await Promise.race([settled, this.scripts.gateAnnounced(), delay(WATCH_MS).then(() => 'watch' as const)]);
      if (next === 'gate') continue;
      if (next !== 'watch') ended = next;
      else if (await this.stuck(started)) break;
    }
    // A step that held time and never asked (its run ended first) still holds it: let go.
    for (let gate = this.scripts.nextGate(); gate; gate = this.scripts.nextGate()) await this.host.time.release();
    return this.outcome(ended ?? (await settled));
  }

  /**
   * Time is held: the step is about to ask people. Waits for its question to show, answers it as
   * the scenario says (or lets it time out), sends the alert's resolution if it is due now.
   */
  private async answerGate(workflowId: string, step: string): Promise<void> {
    for (const deadline = Date.now() + GATE_MS; Date.now() < deadline; await delay(2)) {
      let status: StatusView;
      try {
        status = await this.status(workflowId);
      } catch {
        return; // the run has ended
      }
      const mine = status.pending.filter((p) => p.step === step);
      const pending = mine.find((p) => !this.answered.has(questionKey(workflowId, p)));
      // Already answered (or left to time out) under an earlier hold of the same visit.
      if (mine.length > 0 && !pending) return;
      if (pending) {
        if (workflowId === this.handle.workflowId && this.scenario.alert?.resolvesDuring === step) await this.resolveAlert();
        this.answered.add(questionKey(workflowId, pending));
        this.asked.push({ step: pending.step, who: pending.eligible });
        for (const move of this.scripts.human(workflowId, pending) ?? []) await this.send(workflowId, pending, move);
        return;
      }
      // The step has ended without a new question: the model was sure enough, or it was answered already.
      if (!status.current.includes(step)) return;
    }
  }

  /** The wall-time limit, or a run that waits with no timer and nobody to answer: the scenario fails. */
  private async stuck(started: number): Promise<boolean> {
    if (Date.now() - started > WALL_LIMIT_MS) {
      this.scripts.problem(`the run did not end within ${WALL_LIMIT_MS / 1000}s of wall time (${this.scripts.where})`);
      await this.terminate('the scenario ran out of time');
      return true;
    }
    const idleForever = async () => {
      const state = await observe(this.host.client, this.handle.workflowId);
      return state.kind === 'idle' && state.wakeAt === undefined;
    };
    if (!(await idleForever()) || !(await delay(50).then(idleForever))) return false;
    const waiting = (await this.status()).pending.map((p) => `\`${p.step}\``);
    this.scripts.problem(
      `the run waits${waiting.length ? ` for people on ${waiting.join(', ')}` : ''} and nothing in the scenario or the runbook would end the wait (${this.scripts.where})`,
    );
    await this.terminate('the scenario is stuck');
    return true;
  }

  private async status(workflowId = this.handle.workflowId): Promise<StatusView> {
    return this.host.client.workflow.getHandle(workflowId).query(statusQuery);
  }

  /** The receiver's signal when the alert resolves; scripted actions send it too, while their step runs. */
  async resolveAlert(): Promise<void> {
    if (this.resolutionSent) return;
    this.resolutionSent = true;
    await this.handle.signal(alertResolvedSignal, {});
  }

  private async send(workflowId: string, pending: Pending, move: HumanMove): Promise<void> {
    const handle = this.host.client.workflow.getHandle(workflowId);
    // A scenario scripts who answers a signed step, not their keys: its test worker accepts this stand-in.
    const signed = pending.signed ? { expires: SCRIPTED_SIGNATURE_EXPIRES, signature: SCRIPTED_SIGNATURE } : {};
    try {
      if (move.kind === 'approve') {
        const planHash = pending.kind === 'approval' ? pending.planHash : '';
        await handle.executeUpdate(approveUpdate, {
          args: [{ step: pending.step, planHash, by: move.by, ...(move.comment && { comment: move.comment }), ...signed }],
        });
      } else if (move.kind === 'reject') {
        await handle.executeUpdate(rejectUpdate, { args: [{ step: pending.step, by: move.by, reason: move.reason, ...signed }] });
      } else {
        const { kind: _kind, ...answer } = move;
        await handle.executeUpdate(decideUpdate, { args: [{ step: pending.step, ...answer, ...signed }] });
      }
    } catch (err) {
      const cause = (err as { cause?: Error }).cause;
      this.refused.push(`${move.kind} by ${move.by} on \`${pending.step}\`: ${cause?.message ?? (err as Error).message}`);
    }
  }

  private async terminate(reason: string): Promise<void> {
    try {
      await this.handle.terminate(`runbook test: ${reason}`);
    } catch {
      // Already closed.
    }
  }

  private async outcome(ended: Ended): Promise<Actual> {
    const top = await this.finalState(this.handle.workflowId, ended);
    const info = (await this.handle.describe()).raw.workflowExecutionInfo;
    const runTimeMs = info?.closeTime && info.startTime ? tsToMs(info.closeTime) - tsToMs(info.startTime) : 0;
    const trails = [{ runbook: this.runbookName, trail: top.trail }];
    for (const child of this.scripts.childrenRunThrough()) {
      const childEnded = await ending(this.host.client.workflow.getHandle(child));
      const state = await this.finalState(child, childEnded);
      trails.push({ runbook: childEnded.ok ? childEnded.result.runbook : state.runbook, trail: state.trail });
    }
    return {
      status: ended.ok ? (ended.result.stopped !== undefined ? 'stopped' : 'succeeded') : 'failed',
      ...(!ended.ok && { error: failureReason(ended.err) }),
      outputs: ended.ok ? ended.result.outputs : {},
      path: top.trail.filter((t) => !t.nested),
      compensations: top.compensations,
      asked: this.asked,
      refused: this.refused,
      trails,
      runTimeMs,
    };
  }

  /**
   * The path a closed run took and the undos that ran, from its result or its failure's details
   * (no query: answering one would make the worker replay the whole run); a run that ended
   * otherwise (terminated, refused its input) is asked.
   */
  private async finalState(workflowId: string, ended: Ended) {
    if (ended.ok && ended.result.trail) return { runbook: ended.result.runbook, trail: ended.result.trail, compensations: [] as string[] };
    const details = ended.ok ? undefined : runFailureDetails(ended.err);
    if (details) return { runbook: this.runbookName, trail: details.trail, compensations: details.compensations.map((c) => c.stepId) };
    try {
      const view = await this.status(workflowId);
      return { runbook: view.runbook, trail: view.trail, compensations: view.compensations.map((c) => c.stepId) };
    } catch {
      return { runbook: this.runbookName, trail: [], compensations: [] }; // a child that never started
    }
  }
}

/** One question to people: a step's request, in one run, at one time (a loop asks again). */
const questionKey = (workflowId: string, p: Pending) => `${workflowId}|${p.step}|${p.requestedAt}`;

/** How a run ended: its result, or why it failed. */
type Ended = { ok: true; result: RunResult } | { ok: false; err: unknown };

function ending(handle: WorkflowHandle): Promise<Ended> {
  return handle.result().then(
    (result: RunResult) => ({ ok: true, result }),
    (err: unknown) => ({ ok: false, err }),
  );
}

function alertOf(given: NonNullable<Scenario['alert']>): Alert {
  const labels = given.labels ?? {};
  return {
    source: given.source ?? 'alertmanager',
    status: given.status ?? 'firing',
    fingerprint: given.fingerprint ?? 'runbook-test',
    name: given.name ?? labels.alertname ?? 'runbook-test',
    labels,
    annotations: given.annotations ?? {},
    ...(given.summary !== undefined && { summary: given.summary }),
  };
}
