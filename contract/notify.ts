// Telling people that a run waits for them: what the workflow hands the notification activities
// (activities/notify/), and what they hand back. Types only.
import type { Alert } from '../dsl/alert';
import type { Pending } from './run';

/** A request's channels and its reminder schedule, as the people file and the step decide them. */
export interface NoticeRoute {
  /** Channel names of the people file's `channels`. */
  channels: string[];
  /** Re-send an unanswered request after this long. */
  remindMs?: number;
  /** Still unanswered after `afterMs`: ask these people and groups too. */
  escalate?: { afterMs: number; to: string[] };
}

export type NoticeKind = 'request' | 'reminder' | 'escalation';

export interface RequestNotice {
  kind: NoticeKind;
  workflowId: string;
  runbook: { name: string; description?: string };
  startedBy: string;
  alert?: Pick<Alert, 'status' | 'labels' | 'annotations'>;
  /** The step's description, if it has one. */
  stepDescription?: string;
  /** What waits, as the status query shows it (plan, who may answer, deadline, suggestion). */
  pending: Pending;
  /** For a decision: the evidence steps the model read, and how each ended. */
  evidence?: Array<{ step: string; status: string }>;
}

/** A message that went out; `ref` when the channel can update it later (a Slack bot's post). */
export interface PostedNotice {
  channel: string;
  ref?: { channel: string; ts: string };
}

export interface NotifyActivities {
  /** Sends one notice to one channel, once per request, kind and channel (retries do not post twice where the channel allows). */
  notifyPeople(notice: RequestNotice, channel: string): Promise<PostedNotice>;
  /** Marks a posted request settled (who answered, or that time ran out), where the channel allows. */
  settleNotice(posted: PostedNotice, outcome: string): Promise<void>;
}
