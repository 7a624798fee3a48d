// One scenario, run: start the runbook's workflow on the test server, then, each time the run is
// idle, answer what people are asked as the scenario says, send the alert's resolution when its
// step comes, and otherwise let the clock move time on; at the end, read what happened.
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { alertResolvedSignal, approveUpdate, decideUpdate, rejectUpdate, statusQuery } from '../contract/messages';
import type { Pending, StatusView, TrailEntry } from '../contract/run';
import type { Alert } from '../dsl/alert';
import { resolveInputs } from '../dsl/inputs';
import type { Scenario } from '../dsl/test-file';
import { startRun } from '../temporal/start-run';
import type { Clock } from './clock';
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
  decisions: StatusView['decisions'];
}

export interface SessionHost {
  client: Client;
  taskQueue: string;
  clock: Clock;
  /** Where the scripted activities find this scenario's scripts. */
  register(scripts: ScenarioScripts): () => void;
}

/** Past this wall time a scenario fails: something is waiting that the clock cannot move. */
const WALL_LIMIT_MS = 60_000;

export async function runSession(host: SessionHost, test: TestCase): Promise<{ actual?: Actual; problems: string[]; live: LiveAnswer[] }> {
  const { runbook, scenario, where } = test;
  const alert = scenario.alert && alertOf(scenario.alert);
  const inputs = resolveInputs(runbook.inputs, scenario.inputs ?? {}, alert);
  if (inputs.problems.length > 0) return { problems: inputs.problems.map((p) => `${p} (${where})`), live: [] };
  const workflowId = `test-${runbook.name}-${randomUUID().slice(0, 8)}`;
  const scripts = new ScenarioScripts(scenario, workflowId, where, test.groups);
  const unregister = host.register(scripts);
  host.clock.join(scripts);
  try {
    const handle = await startRun(host.client, host.taskQueue, {
      runbook,
      inputs: inputs.values,
      ...(alert && { alert }),
      startedBy: scenario.startedBy ?? 'runbook-test',
      workflowId,
    });
    const session = new Session(host, handle, scripts, scenario);
    scripts.resolveAlert = () => session.resolveAlert();
    const actual = await session.drive();
    return { actual, problems: scripts.problems, live: scripts.live };
  } finally {
    host.clock.leave(scripts);
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
  ) {}

  async drive(): Promise<Actual> {
    const started = Date.now();
    for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
      if (Date.now() - started > WALL_LIMIT_MS) {
        this.scripts.problem(`the run did not end within ${WALL_LIMIT_MS / 1000}s of wall time (${this.scripts.where})`);
        await this.terminate('the scenario ran out of time');
        break;
      }
      const state = await observe(this.host.client, this.handle.workflowId);
      // A run with a problem (an unscripted step fails its activity) is left to end on its own:
      // terminating a run with an activity in flight leaks the test server's time-skipping lock
      // (temporalio/sdk-java#1138), and every other scenario's timers would then take wall time.
      if (state.kind === 'closed') break;
      if (state.kind === 'busy') {
        await new Promise((r) => setTimeout(r, pause));
        continue;
      }
      pause = 1;
      // Asking the run where it stands is a query (the worker answers it); only when it may wait for people or for the alert.
      if ((state.awaitingPeople || this.resolutionDue()) && (await this.answerPeople())) continue;
      const tick = await this.host.clock.idle(this.scripts, state.wakeAt);
      // Every scenario was idle with no timer; look again (another's progress may have been in flight) before giving up.
      if (tick === 'stuck' && (await this.stillStuck())) {
        const waiting = (await this.status()).pending.map((p) => `\`${p.step}\``);
        this.scripts.problem(
          `the run waits${waiting.length ? ` for people on ${waiting.join(', ')}` : ''} and nothing in the scenario or the runbook would end the wait (${this.scripts.where})`,
        );
        await this.terminate('the scenario is stuck');
        break;
      }
    }
    return this.outcome();
  }

  private async stillStuck(): Promise<boolean> {
    await new Promise((r) => setTimeout(r, 50));
    const state = await observe(this.host.client, this.handle.workflowId);
    return state.kind === 'idle' && state.wakeAt === undefined && !(await this.answerPeople());
  }

  private async status(workflowId = this.handle.workflowId): Promise<StatusView> {
    return this.host.client.workflow.getHandle(workflowId).query(statusQuery);
  }

  /** Answers every request that waits now, as the scenario scripts it; true when anything was sent. */
  private async answerPeople(): Promise<boolean> {
    let sent = false;
    for (const workflowId of [this.handle.workflowId, ...this.scripts.childrenRunThrough()]) {
      let status: StatusView;
      try {
        status = await this.status(workflowId);
      } catch {
        continue; // a child that has ended or not started yet
      }
      if (workflowId === this.handle.workflowId) sent = (await this.resolveAlertIfDue(status)) || sent;
      for (const pending of status.pending) {
        const key = `${workflowId}|${pending.step}|${pending.requestedAt}`;
        if (this.answered.has(key)) continue;
        this.answered.add(key);
        this.asked.push({ step: pending.step, who: pending.eligible });
        const moves = this.scripts.human(workflowId, pending);
        for (const move of moves ?? []) {
          await this.send(workflowId, pending, move);
          sent = true;
        }
      }
    }
    return sent;
  }

  private resolutionDue(): boolean {
    return !this.resolutionSent && this.scenario.alert?.resolvesDuring !== undefined;
  }

  private async resolveAlertIfDue(status: StatusView): Promise<boolean> {
    const during = this.scenario.alert?.resolvesDuring;
    if (this.resolutionSent || during === undefined || !status.current.includes(during)) return false;
    await this.resolveAlert();
    return true;
  }

  /** The receiver's signal when the alert resolves; scripted actions send it too, while their step runs. */
  async resolveAlert(): Promise<void> {
    if (this.resolutionSent) return;
    this.resolutionSent = true;
    await this.handle.signal(alertResolvedSignal, {});
  }

  private async send(workflowId: string, pending: Pending, move: HumanMove): Promise<void> {
    const handle = this.host.client.workflow.getHandle(workflowId);
    try {
      if (move.kind === 'approve') {
        const planHash = pending.kind === 'approval' ? pending.planHash : '';
        await handle.executeUpdate(approveUpdate, { args: [{ step: pending.step, planHash, by: move.by, ...(move.comment && { comment: move.comment }) }] });
      } else if (move.kind === 'reject') {
        await handle.executeUpdate(rejectUpdate, { args: [{ step: pending.step, by: move.by, reason: move.reason }] });
      } else {
        const { kind: _kind, ...answer } = move;
        await handle.executeUpdate(decideUpdate, { args: [{ step: pending.step, ...answer }] });
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

  private async outcome(): Promise<Actual> {
    let status: Actual['status'] = 'succeeded';
    let error: string | undefined;
    let outputs: Record<string, unknown> = {};
    try {
      const result = (await this.handle.result()) as { outputs: Record<string, unknown>; stopped?: string };
      outputs = result.outputs;
      if (result.stopped !== undefined) status = 'stopped';
    } catch (err) {
      status = 'failed';
      error = err instanceof WorkflowFailedError ? ((err.cause as Error | undefined)?.message ?? err.message) : (err as Error).message;
    }
    const view = await this.status();
    const trails = [{ runbook: view.runbook, trail: view.trail }];
    for (const child of this.scripts.childrenRunThrough()) {
      try {
        const childView = await this.status(child);
        trails.push({ runbook: childView.runbook, trail: childView.trail });
      } catch {
        // A child that never started has no trail.
      }
    }
    return {
      status,
      ...(error !== undefined && { error }),
      outputs,
      path: view.trail.filter((t) => !t.nested),
      compensations: view.compensations.map((c) => c.stepId),
      asked: this.asked,
      refused: this.refused,
      trails,
      decisions: view.decisions,
    };
  }
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
