// Where the drill's time went, from the first failing request to the rollback command: read from
// the run's history (its input holds the alert as Alertmanager sent it) and the rollout time.
import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { readTimerLabel } from '../contract/labels';
import type { RunInput } from '../contract/run';

export interface DrillTimeline {
  'v2 rolled out → alert firing (rate window, for)': number | undefined;
  'alert firing → run started (Alertmanager, receiver)': number | undefined;
  'run started → question to the model': number | undefined;
  'the decision (model or person)': number | undefined;
  'decision → approval asked': number | undefined;
  'the approval (a person)': number | undefined;
  'approval → rollback command started': number | undefined;
  "the engine's own share (run start → rollback, minus decision and approval)": number | undefined;
}

type Event = temporal.api.history.v1.IHistoryEvent;

const at = (e: Event | undefined): number | undefined =>
  e?.eventTime ? Number(e.eventTime.seconds) * 1000 + Math.floor((e.eventTime.nanos ?? 0) / 1e6) : undefined;
const minus = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a - b : undefined);

export async function timeline(history: temporal.api.history.v1.IHistory, brokenAt: number): Promise<DrillTimeline> {
  const events = history.events ?? [];
  const started = events[0];
  const input = defaultPayloadConverter.fromPayload(started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] as Payload) as RunInput;
  const firing = input.alert?.startsAt ? Date.parse(input.alert.startsAt) : undefined;
  const scheduled = (type: string) => events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type);
  const ask = scheduled('askClaude');
  const askDone = ask && events.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === ask.eventId?.toString());
  const decided = events.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'decide') ?? askDone;
  // The timer an approval waits on, read as reports read it (contract/labels.ts).
  const approvalAsked = events.find(
    (e) =>
      e.timerStartedEventAttributes &&
      e.userMetadata?.summary &&
      readTimerLabel(defaultPayloadConverter.fromPayload(e.userMetadata.summary as Payload))?.kind === 'wait-for-approval',
  );
  const approved = events.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'approve');
  const rollback = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'kubernetes');
  const rollbackStarted = rollback && events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === rollback.eventId?.toString());
  const decision = minus(at(decided), at(ask) ?? at(decided));
  const approval = minus(at(approved), at(approvalAsked));
  const total = minus(at(rollbackStarted), at(started));
  return {
    'v2 rolled out → alert firing (rate window, for)': minus(firing, brokenAt),
    'alert firing → run started (Alertmanager, receiver)': minus(at(started), firing),
    'run started → question to the model': minus(at(ask), at(started)),
    'the decision (model or person)': decision,
    'decision → approval asked': minus(at(approvalAsked), at(decided)),
    'the approval (a person)': approval,
    'approval → rollback command started': minus(at(rollbackStarted), at(approved)),
    "the engine's own share (run start → rollback, minus decision and approval)":
      total !== undefined && decision !== undefined && approval !== undefined ? total - decision - approval : undefined,
  };
}
