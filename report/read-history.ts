// What happened in a run, from its history alone: no query, no worker, works on runs closed
// long ago and on exported files. Every event the interpreter records is read here: the input
// (runbook, hash, alert), activities by step, timers, child runs, model answers, human
// attempts with the identity the server recorded, and how the run ended.
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { Alert } from '../dsl/alert';
import type { AdviceResult } from '../contract/activities';
import type { AuditEntry, RunInput, RunResult } from '../contract/run';

type Event = temporal.api.history.v1.IHistoryEvent;

export interface StepLine {
  step: string;
  what: string;
  startedAt: string;
  endedAt?: string;
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'timed out' | 'running' | 'skipped';
  attempts: number;
  detail?: string;
}

export interface ModelAnswer {
  step: string;
  model: string;
  choice?: string;
  values?: Record<string, unknown>;
  reasoning: string;
  confidence: number;
  tokens: AdviceResult['usage'];
  latencyMs: number;
  calls: number;
  outcome: AdviceResult['outcome'];
  at: string;
}

export interface HumanAttempt extends AuditEntry {
  /** Who the Temporal server says sent it (SDK/CLI identity, or the authenticated principal). */
  identity?: string;
  comment?: string;
}

export interface Compensation {
  step: string;
  uses: string;
  outcome: StepLine['outcome'];
  detail?: string;
}

export interface RunReport {
  workflowId: string;
  runId?: string;
  runbook: { name: string; hash: string; description?: string };
  startedBy: string;
  startedAt: string;
  endedAt?: string;
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'terminated' | 'timed out' | 'continued as new' | 'running';
  reason?: string;
  alert?: Alert;
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  timeline: StepLine[];
  modelAnswers: ModelAnswer[];
  humans: HumanAttempt[];
  compensations: Compensation[];
}

const time = (e: Event): string => {
  const t = e.eventTime;
  return t ? new Date(Number(t.seconds ?? 0) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)).toISOString() : '';
};

export async function readHistory(history: temporal.api.history.v1.IHistory, workflowId: string, codec?: PayloadCodec): Promise<RunReport> {
  const decode = async (payloads: temporal.api.common.v1.IPayloads | null | undefined): Promise<unknown[]> => {
    const list = (payloads?.payloads ?? []) as Payload[];
    const plain = codec ? await codec.decode(list) : list;
    return plain.map((p) => defaultPayloadConverter.fromPayload(p));
  };
  const summary = async (e: Event): Promise<string | undefined> => {
    const s = e.userMetadata?.summary;
    return s ? ((await decode({ payloads: [s] }))[0] as string) : undefined;
  };
  const stepOf = (text: string | undefined): string | undefined => text?.match(/^(?:undo )?([a-z][a-z0-9_]*)(?:\.compensate)?:/)?.[1];

  const events = history.events ?? [];
  const first = events[0];
  const start = first?.workflowExecutionStartedEventAttributes;
  if (!start) throw new Error('not a runbook history: it does not begin with WorkflowExecutionStarted');
  const input = (await decode(start.input))[0] as RunInput;
  const report: RunReport = {
    workflowId,
    ...(start.originalExecutionRunId && { runId: start.originalExecutionRunId }),
    runbook: { name: input.runbook.name, hash: input.runbook.hash, ...(input.runbook.description && { description: input.runbook.description }) },
    startedBy: input.startedBy,
    startedAt: time(first),
    outcome: 'running',
    ...(input.alert && { alert: input.alert }),
    inputs: input.inputs,
    timeline: [],
    modelAnswers: [],
    humans: [],
    compensations: [],
  };

  const lines = new Map<string, StepLine>();
  const line = (step: string, what: string, at: string): StepLine => {
    let l = lines.get(step);
    if (!l) {
      l = { step, what, startedAt: at, outcome: 'running', attempts: 0 };
      lines.set(step, l);
      report.timeline.push(l);
    }
    return l;
  };
  const scheduled = new Map<string, { step: string; type: string; compensation: boolean; at: string; request: Record<string, unknown> }>();
  const timers = new Map<string, string>();
  const children = new Map<string, string>();
  const messages: Array<{ name: string; identity?: string; payload: Record<string, unknown> }> = [];

  for (const e of events) {
    const id = String(e.eventId ?? '');
    const at = time(e);
    if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      const type = a.activityType?.name ?? '';
      const request = ((await decode(a.input))[0] ?? {}) as Record<string, unknown>;
      const label = await summary(e);
      const rawStep = typeof request.stepId === 'string' ? request.stepId : (stepOf(label) ?? type);
      const compensation = rawStep.endsWith('.compensate');
      const step = rawStep.replace(/\.compensate$/, '');
      scheduled.set(id, { step, type, compensation, at, request });
      if (!compensation && type !== 'resolvePeople') line(step, type === 'askClaude' ? 'ask Claude' : type, at);
    } else if (e.activityTaskStartedEventAttributes) {
      const s = scheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId));
      const l = s && !s.compensation ? lines.get(s.step) : undefined;
      if (l) l.attempts += e.activityTaskStartedEventAttributes.attempt ?? 1;
    } else if (
      e.activityTaskCompletedEventAttributes ||
      e.activityTaskFailedEventAttributes ||
      e.activityTaskTimedOutEventAttributes ||
      e.activityTaskCanceledEventAttributes
    ) {
      const attrs =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes;
      const s = scheduled.get(String(attrs!.scheduledEventId));
      if (!s) continue;
      const outcome: StepLine['outcome'] = e.activityTaskCompletedEventAttributes
        ? 'succeeded'
        : e.activityTaskFailedEventAttributes
          ? 'failed'
          : e.activityTaskTimedOutEventAttributes
            ? 'timed out'
            : 'cancelled';
      const detail = e.activityTaskFailedEventAttributes?.failure?.message ?? e.activityTaskTimedOutEventAttributes?.failure?.message ?? undefined;
      if (s.compensation) {
        report.compensations.push({ step: s.step, uses: s.type, outcome, ...(detail && { detail }) });
        continue;
      }
      if (s.type === 'askClaude' && e.activityTaskCompletedEventAttributes) {
        const r = (await decode(e.activityTaskCompletedEventAttributes.result))[0] as AdviceResult;
        report.modelAnswers.push({
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
      const l = lines.get(s.step);
      if (l) Object.assign(l, { endedAt: at, outcome, ...(detail && { detail }) });
    } else if (e.timerStartedEventAttributes) {
      const label = (await summary(e)) ?? 'timer';
      const step = stepOf(label) ?? 'timer';
      const what = label.replace(/^[^:]*: /, '');
      timers.set(String(e.timerStartedEventAttributes.timerId), label);
      const l = line(step, what, at);
      // A poll's timers repeat; a model step that falls back to a human gains a wait.
      if (!l.what.includes(what.replace(/ \(.*\)$/, '')) && !what.startsWith('poll again')) l.what = `${l.what}, then ${what}`;
    } else if (e.timerFiredEventAttributes || e.timerCanceledEventAttributes) {
      const label = timers.get(String((e.timerFiredEventAttributes ?? e.timerCanceledEventAttributes)!.timerId)) ?? '';
      const l = lines.get(stepOf(label) ?? 'timer');
      // A wait for people that fires is a timeout; one cancelled was answered in time.
      const waitsForPeople = /wait for (approval|a human)/.test(label);
      const outcome: StepLine['outcome'] = waitsForPeople && e.timerFiredEventAttributes ? 'timed out' : 'succeeded';
      if (l) Object.assign(l, { endedAt: at, outcome, ...(waitsForPeople && e.timerCanceledEventAttributes && { detail: 'answered in time' }) });
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      const childId = e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '';
      const step = childId.slice(workflowId.length + 1).replace(/-\d+$/, '');
      children.set(id, step);
      line(step, `child ${childId}`, at);
    } else if (
      e.childWorkflowExecutionCompletedEventAttributes ||
      e.childWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCanceledEventAttributes
    ) {
      const attrs =
        e.childWorkflowExecutionCompletedEventAttributes ?? e.childWorkflowExecutionFailedEventAttributes ?? e.childWorkflowExecutionCanceledEventAttributes;
      const step = children.get(String(attrs!.initiatedEventId));
      const l = step ? lines.get(step) : undefined;
      if (l)
        Object.assign(l, {
          endedAt: at,
          outcome: e.childWorkflowExecutionCompletedEventAttributes ? 'succeeded' : e.childWorkflowExecutionFailedEventAttributes ? 'failed' : 'cancelled',
          ...(e.childWorkflowExecutionFailedEventAttributes?.failure?.message && { detail: e.childWorkflowExecutionFailedEventAttributes.failure.message }),
        });
    } else if (e.workflowExecutionSignaledEventAttributes) {
      const s = e.workflowExecutionSignaledEventAttributes;
      messages.push({
        name: s.signalName ?? '',
        ...(s.identity && { identity: s.identity }),
        payload: ((await decode(s.input))[0] ?? {}) as Record<string, unknown>,
      });
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const r = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest;
      messages.push({
        name: r?.input?.name ?? '',
        ...(r?.meta?.identity && { identity: r.meta.identity }),
        payload: ((await decode(r?.input?.args))[0] ?? {}) as Record<string, unknown>,
      });
    } else if (e.markerRecordedEventAttributes) {
      const data = (await decode(e.markerRecordedEventAttributes.details?.data))[0] as { activity_type?: string } | undefined;
      if (data?.activity_type !== 'recordAudit') continue;
      const entry = (await decode(e.markerRecordedEventAttributes.details?.result))[0] as AuditEntry | undefined;
      if (!entry) continue;
      // The attempt an entry records is the oldest message of that kind not yet matched.
      const i = messages.findIndex((m) => m.name === entry.action);
      const message = i >= 0 ? messages.splice(i, 1)[0] : undefined;
      const comment =
        typeof message?.payload.comment === 'string'
          ? message.payload.comment
          : typeof message?.payload.reason === 'string'
            ? message.payload.reason
            : undefined;
      report.humans.push({ ...entry, ...(message?.identity && { identity: message.identity }), ...(comment && { comment }) });
    } else if (e.workflowExecutionCompletedEventAttributes) {
      const result = (await decode(e.workflowExecutionCompletedEventAttributes.result))[0] as RunResult;
      Object.assign(report, { outcome: 'succeeded', endedAt: at, outputs: result.outputs, ...(result.stopped && { reason: result.stopped }) });
      for (const [step, r] of Object.entries(result.steps)) if (r.status === 'skipped') line(step, 'skipped by its if', r.startedAt).outcome = 'skipped';
    } else if (e.workflowExecutionFailedEventAttributes) {
      Object.assign(report, { outcome: 'failed', endedAt: at, reason: e.workflowExecutionFailedEventAttributes.failure?.message ?? '' });
    } else if (e.workflowExecutionCanceledEventAttributes) {
      Object.assign(report, { outcome: 'cancelled', endedAt: at });
    } else if (e.workflowExecutionTerminatedEventAttributes) {
      Object.assign(report, { outcome: 'terminated', endedAt: at, reason: e.workflowExecutionTerminatedEventAttributes.reason ?? '' });
    } else if (e.workflowExecutionTimedOutEventAttributes) {
      Object.assign(report, { outcome: 'timed out', endedAt: at });
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
      Object.assign(report, { outcome: 'continued as new', endedAt: at });
    }
  }
  report.timeline.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return report;
}
