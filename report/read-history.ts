// What happened in a run, from its history alone: no query, no worker, works on runs closed
// long ago and on exported files. The input gives the runbook, hash and alert; activities,
// timers and child runs are tied to steps by their typed inputs or by the labels the workflow
// wrote (contract/labels.ts, the same module reads them back); model answers, human attempts
// with the identity the server recorded, and how the run ended come from their own events.
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { ENGINE_ACTIVITY, type AdmissionVerdict, type AdviceResult, type InvestigateTurnRequest, type InvestigateTurnResult } from '../contract/activities';
import { labelWhat, readActivityLabel, readChildWorkflowId, readTimerLabel, type Label } from '../contract/labels';
import type { AuditEntry, RunInput, RunResult } from '../contract/run';
import type { Investigation, RunReport, StepLine } from './run-report';

type Event = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

const time = (e: Event): string => {
  const t = e.eventTime;
  return t ? new Date(Number(t.seconds ?? 0) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)).toISOString() : '';
};

const COMPENSATION_SUFFIX = '.compensate';

interface Scheduled {
  step: string;
  type: string;
  compensation: boolean;
  /** Who may answer, telling people, starting the governor: not the step's own work, so not its attempts. */
  plumbing: boolean;
}

export async function readHistory(history: temporal.api.history.v1.IHistory, workflowId: string, codec?: PayloadCodec): Promise<RunReport> {
  const events = history.events ?? [];
  const start = events[0]?.workflowExecutionStartedEventAttributes;
  if (!start) throw new Error('not a runbook history: it does not begin with WorkflowExecutionStarted');
  const reader = new HistoryReader(workflowId, codec);
  await reader.started(events[0]!, start);
  for (const e of events.slice(1)) await reader.read(e);
  return reader.report();
}

/** One history, read event by event into a report. */
class HistoryReader {
  private facts!: RunReport;
  private readonly lines = new Map<string, StepLine>();
  private readonly scheduled = new Map<string, Scheduled>();
  private readonly timers = new Map<string, Label | undefined>();
  private readonly children = new Map<string, string>();
  /** Signals and updates not yet matched with the audit entry the run recorded for them. */
  private readonly messages: Array<{ name: string; identity?: string; payload: Record<string, unknown> }> = [];

  constructor(
    private readonly workflowId: string,
    private readonly codec: PayloadCodec | undefined,
  ) {}

  report(): RunReport {
    this.facts.timeline.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    return this.facts;
  }

  async started(e: Event, start: temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes): Promise<void> {
    const input = (await this.decode(start.input))[0] as RunInput;
    this.facts = {
      workflowId: this.workflowId,
      ...(start.originalExecutionRunId && { runId: start.originalExecutionRunId }),
      ...(start.firstExecutionRunId && { firstRunId: start.firstExecutionRunId }),
      runbook: { name: input.runbook.name, hash: input.runbook.hash, ...(input.runbook.description && { description: input.runbook.description }) },
      startedBy: input.startedBy,
      startedAt: time(e),
      outcome: 'running',
      ...(input.alert && { alert: input.alert }),
      inputs: input.inputs,
      timeline: [],
      modelAnswers: [],
      investigations: [],
      humans: [],
      compensations: [],
    };
  }

  async read(e: Event): Promise<void> {
    const id = String(e.eventId ?? '');
    const at = time(e);
    if (e.activityTaskScheduledEventAttributes) await this.activityScheduled(id, at, e);
    else if (e.activityTaskStartedEventAttributes) this.activityStarted(e.activityTaskStartedEventAttributes);
    else if (
      e.activityTaskCompletedEventAttributes ||
      e.activityTaskFailedEventAttributes ||
      e.activityTaskTimedOutEventAttributes ||
      e.activityTaskCanceledEventAttributes
    )
      await this.activityEnded(at, e);
    else if (e.timerStartedEventAttributes) await this.timerStarted(at, e);
    else if (e.timerFiredEventAttributes || e.timerCanceledEventAttributes) this.timerEnded(at, e);
    else if (e.startChildWorkflowExecutionInitiatedEventAttributes) this.childStarted(id, at, e.startChildWorkflowExecutionInitiatedEventAttributes);
    else if (
      e.childWorkflowExecutionCompletedEventAttributes ||
      e.childWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCanceledEventAttributes
    )
      this.childEnded(at, e);
    else if (e.workflowExecutionSignaledEventAttributes) await this.signalled(e.workflowExecutionSignaledEventAttributes);
    else if (e.workflowExecutionUpdateAcceptedEventAttributes) await this.updateAccepted(e.workflowExecutionUpdateAcceptedEventAttributes);
    else if (e.markerRecordedEventAttributes) await this.marker(e.markerRecordedEventAttributes);
    else await this.ended(at, e);
  }

  // ---------- steps ----------

  private line(step: string, what: string, at: string): StepLine {
    let l = this.lines.get(step);
    if (!l) {
      l = { step, what, startedAt: at, outcome: 'running', attempts: 0 };
      this.lines.set(step, l);
      this.facts.timeline.push(l);
    }
    return l;
  }

  private async activityScheduled(id: string, at: string, e: Event): Promise<void> {
    const a = e.activityTaskScheduledEventAttributes!;
    const type = a.activityType?.name ?? '';
    const request = ((await this.decode(a.input))[0] ?? {}) as Record<string, unknown>;
    const label = readActivityLabel(type, await this.summary(e));
    // The typed input names the step; the label does for activities whose input does not.
    const stepId = typeof request.stepId === 'string' ? request.stepId : label && 'step' in label ? label.step : type;
    const compensation = stepId.endsWith(COMPENSATION_SUFFIX) || label?.kind === 'undo';
    const step = stepId.endsWith(COMPENSATION_SUFFIX) ? stepId.slice(0, -COMPENSATION_SUFFIX.length) : stepId;
    // Plumbing is not a step: who may answer, telling people, and starting the fleet's governor when a guarded write found none.
    const plumbing = label?.kind === 'who-may' || label?.kind === 'notify' || type === ENGINE_ACTIVITY.ensureGovernor;
    this.scheduled.set(id, { step, type, compensation, plumbing });
    if (type === ENGINE_ACTIVITY.investigateTurn) this.turnAsked(step, request as unknown as InvestigateTurnRequest);
    if (!compensation && !plumbing) this.line(step, label?.kind === 'ask-claude' ? 'ask Claude' : type, at);
  }

  private activityStarted(a: temporal.api.history.v1.IActivityTaskStartedEventAttributes): void {
    const s = this.scheduled.get(String(a.scheduledEventId));
    const l = s && !s.compensation && !s.plumbing ? this.lines.get(s.step) : undefined;
    if (l) l.attempts += a.attempt ?? 1;
  }

  private async activityEnded(at: string, e: Event): Promise<void> {
    const attrs =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    const s = this.scheduled.get(String(attrs!.scheduledEventId));
    // A failed notification (Slack down) says nothing about how the step went.
    if (!s || s.plumbing) return;
    const outcome: StepLine['outcome'] = e.activityTaskCompletedEventAttributes
      ? 'succeeded'
      : e.activityTaskFailedEventAttributes
        ? 'failed'
        : e.activityTaskTimedOutEventAttributes
          ? 'timed out'
          : 'cancelled';
    const detail = e.activityTaskFailedEventAttributes?.failure?.message ?? e.activityTaskTimedOutEventAttributes?.failure?.message ?? undefined;
    if (s.compensation) {
      this.facts.compensations.push({ step: s.step, uses: s.type, outcome, ...(detail && { detail }) });
      return;
    }
    if (s.type === ENGINE_ACTIVITY.investigateTurn && e.activityTaskCompletedEventAttributes)
      this.turnAnswered(s.step, (await this.decode(e.activityTaskCompletedEventAttributes.result))[0] as InvestigateTurnResult);
    if (s.type === ENGINE_ACTIVITY.askClaude && e.activityTaskCompletedEventAttributes) {
      const r = (await this.decode(e.activityTaskCompletedEventAttributes.result))[0] as AdviceResult;
      this.facts.modelAnswers.push({
        step: s.step,
        model: r.model,
        ...(r.choice !== undefined && { choice: r.choice }),
        ...(r.values && { values: r.values }),
        reasoning: r.reasoning,
        confidence: r.confidence,
        tokens: r.usage,
        latencyMs: r.latencyMs,
        calls: r.calls,
        outcome: r.outcome,
        at,
      });
    }
    const l = this.lines.get(s.step);
    if (l) Object.assign(l, { endedAt: at, outcome, ...(detail && { detail }) });
  }

  private investigation(step: string): Investigation {
    let inv = this.facts.investigations.find((i) => i.step === step);
    if (!inv) {
      inv = { step, model: '', turns: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, calls: [], unread: [] };
      this.facts.investigations.push(inv);
    }
    return inv;
  }

  /** Each turn's request holds every call so far with what the model was shown of it. */
  private turnAsked(step: string, request: InvestigateTurnRequest): void {
    const inv = this.investigation(step);
    inv.turns++;
    inv.calls = (request.transcript ?? []).flatMap((turn) =>
      turn.calls.map((c, i) => ({ ...c, result: turn.results[i]?.content ?? '', isError: turn.results[i]?.isError ?? false })),
    );
    inv.unread = [];
  }

  private turnAnswered(step: string, result: InvestigateTurnResult): void {
    const inv = this.investigation(step);
    inv.model = result.model;
    for (const k of ['input', 'output', 'cacheRead', 'cacheWrite'] as const) inv.tokens[k] += result.usage[k];
    if (result.outcome === 'finding') inv.finding = result.finding;
    if (result.outcome === 'calls') inv.unread = result.calls.map(({ tool, input, reason }) => ({ tool, input, reason }));
  }

  private async timerStarted(at: string, e: Event): Promise<void> {
    const text = await this.summary(e);
    const label = readTimerLabel(text);
    this.timers.set(String(e.timerStartedEventAttributes!.timerId), label);
    const step = label && 'step' in label ? label.step : 'timer';
    const what = label && 'step' in label ? labelWhat(label) : (text ?? 'timer');
    const l = this.line(step, what, at);
    // A poll's timers repeat; a model step that falls back to a person gains a wait.
    if (label?.kind !== 'poll' && !l.what.includes(what.replace(/ \(.*\)$/, ''))) l.what = `${l.what}, then ${what}`;
  }

  private timerEnded(at: string, e: Event): void {
    const label = this.timers.get(String((e.timerFiredEventAttributes ?? e.timerCanceledEventAttributes)!.timerId));
    const l = this.lines.get(label && 'step' in label ? label.step : 'timer');
    if (!l) return;
    // A wait for people that fires is a timeout; one cancelled was answered in time.
    const waitsForPeople = label?.kind === 'wait-for-approval' || label?.kind === 'wait-for-decision';
    const outcome: StepLine['outcome'] = waitsForPeople && e.timerFiredEventAttributes ? 'timed out' : 'succeeded';
    Object.assign(l, { endedAt: at, outcome, ...(waitsForPeople && e.timerCanceledEventAttributes && { detail: 'answered in time' }) });
  }

  private childStarted(id: string, at: string, a: temporal.api.history.v1.IStartChildWorkflowExecutionInitiatedEventAttributes): void {
    const childId = a.workflowId ?? '';
    const step = readChildWorkflowId(this.workflowId, childId)?.step ?? childId;
    this.children.set(id, step);
    this.line(step, `child ${childId}`, at);
  }

  private childEnded(at: string, e: Event): void {
    const attrs =
      e.childWorkflowExecutionCompletedEventAttributes ?? e.childWorkflowExecutionFailedEventAttributes ?? e.childWorkflowExecutionCanceledEventAttributes;
    const step = this.children.get(String(attrs!.initiatedEventId));
    const l = step ? this.lines.get(step) : undefined;
    if (!l) return;
    const failure = e.childWorkflowExecutionFailedEventAttributes?.failure?.message;
    const outcome = e.childWorkflowExecutionCompletedEventAttributes ? 'succeeded' : e.childWorkflowExecutionFailedEventAttributes ? 'failed' : 'cancelled';
    Object.assign(l, { endedAt: at, outcome, ...(failure && { detail: failure }) });
  }

  // ---------- people ----------

  private async signalled(s: temporal.api.history.v1.IWorkflowExecutionSignaledEventAttributes): Promise<void> {
    this.messages.push({
      name: s.signalName ?? '',
      ...(s.identity && { identity: s.identity }),
      payload: ((await this.decode(s.input))[0] ?? {}) as Record<string, unknown>,
    });
  }

  private async updateAccepted(u: temporal.api.history.v1.IWorkflowExecutionUpdateAcceptedEventAttributes): Promise<void> {
    const r = u.acceptedRequest;
    this.messages.push({
      name: r?.input?.name ?? '',
      ...(r?.meta?.identity && { identity: r.meta.identity }),
      payload: ((await this.decode(r?.input?.args))[0] ?? {}) as Record<string, unknown>,
    });
  }

  private async marker(m: temporal.api.history.v1.IMarkerRecordedEventAttributes): Promise<void> {
    const data = (await this.decode(m.details?.data))[0] as { activity_type?: string } | undefined;
    if (data?.activity_type === ENGINE_ACTIVITY.checkAdmission) {
      const verdict = (await this.decode(m.details?.result))[0] as AdmissionVerdict | undefined;
      if (verdict?.admitted && verdict.model === false) this.facts.noModel = true;
      return;
    }
    if (data?.activity_type !== ENGINE_ACTIVITY.recordAudit) return;
    const entry = (await this.decode(m.details?.result))[0] as AuditEntry | undefined;
    if (!entry) return;
    // The attempt an entry records is the oldest message of that kind not yet matched.
    const i = this.messages.findIndex((msg) => msg.name === entry.action);
    const message = i >= 0 ? this.messages.splice(i, 1)[0] : undefined;
    const comment =
      typeof message?.payload.comment === 'string' ? message.payload.comment : typeof message?.payload.reason === 'string' ? message.payload.reason : undefined;
    this.facts.humans.push({ ...entry, ...(message?.identity && { identity: message.identity }), ...(comment && { comment }) });
  }

  // ---------- the end ----------

  private async ended(at: string, e: Event): Promise<void> {
    if (e.workflowExecutionCompletedEventAttributes) {
      const result = (await this.decode(e.workflowExecutionCompletedEventAttributes.result))[0] as RunResult;
      Object.assign(this.facts, { outcome: 'succeeded', endedAt: at, outputs: result.outputs, ...(result.stopped && { reason: result.stopped }) });
      for (const [step, r] of Object.entries(result.steps)) if (r.status === 'skipped') this.line(step, 'skipped by its if', r.startedAt).outcome = 'skipped';
    } else if (e.workflowExecutionFailedEventAttributes) {
      Object.assign(this.facts, { outcome: 'failed', endedAt: at, reason: e.workflowExecutionFailedEventAttributes.failure?.message ?? '' });
    } else if (e.workflowExecutionCanceledEventAttributes) {
      Object.assign(this.facts, { outcome: 'cancelled', endedAt: at });
    } else if (e.workflowExecutionTerminatedEventAttributes) {
      Object.assign(this.facts, { outcome: 'terminated', endedAt: at, reason: e.workflowExecutionTerminatedEventAttributes.reason ?? '' });
    } else if (e.workflowExecutionTimedOutEventAttributes) {
      Object.assign(this.facts, { outcome: 'timed out', endedAt: at });
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
      Object.assign(this.facts, { outcome: 'continued as new', endedAt: at });
    }
  }

  // ---------- payloads ----------

  private async decode(payloads: Payloads): Promise<unknown[]> {
    const list = (payloads?.payloads ?? []) as Payload[];
    const plain = this.codec ? await this.codec.decode(list) : list;
    return plain.map((p) => defaultPayloadConverter.fromPayload(p));
  }

  private async summary(e: Event): Promise<string | undefined> {
    const s = e.userMetadata?.summary;
    return s ? ((await this.decode({ payloads: [s] }))[0] as string) : undefined;
  }
}
