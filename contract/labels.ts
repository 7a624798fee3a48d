// What each step leaves in history beyond its activity inputs: the summaries the Web UI shows on
// activities and timers, and the ids of child runs. They are written here and read back here
// (by reports), from one typed vocabulary, so the writer and the reader cannot drift; a test
// round-trips every kind. The text is what the Web UI has always shown, so histories recorded
// before this module read the same.
import { formatDuration, parseDuration } from '../dsl/durations';
import { ENGINE_ACTIVITY } from './activities';

export type Label =
  /** An action's activity: `restart: Restart the deployment` (or the action name without a description). */
  | { kind: 'action'; step: string; what: string }
  /** A compensation's activity: `undo restart: Scale back`. */
  | { kind: 'undo'; step: string; what: string }
  | { kind: 'ask-claude'; step: string }
  /** An investigation's tool call: `look: investigate: prometheus.query rate(http_errors[5m])`. */
  | { kind: 'investigate'; step: string; what: string }
  | { kind: 'who-may'; step: string; purpose: 'approve' | 'decide' }
  /** Telling people about a request (or settling it) on one channel. */
  | { kind: 'notify'; step: string; channel: string; what: 'request' | 'reminder' | 'escalation' | 'settled' }
  | { kind: 'poll'; step: string; everyMs: number }
  /** A `wait` step's timer: its description, or `wait 5m`. */
  | { kind: 'wait'; step: string; what: string }
  | { kind: 'wait-for-approval'; step: string; timeoutMs: number }
  | { kind: 'wait-for-decision'; step: string; timeoutMs: number }
  /** Until a reminder or an escalation of an unanswered request. */
  | { kind: 'remind'; step: string; escalate: boolean; afterMs: number }
  | { kind: 'audit' }
  | { kind: 'check-signature' }
  | { kind: 'admission' };

export type LabelKind = Label['kind'];

/** The label's text, as the Web UI shows it: `<step>: <what>` for a step's activities and timers. */
export function labelText(label: Label): string {
  switch (label.kind) {
    case 'audit':
      return 'audit: record a human action';
    case 'check-signature':
      return "audit: check an answer's signature";
    case 'admission':
      return 'admission: is this runbook served here?';
    case 'undo':
      return `undo ${label.step}: ${labelWhat(label)}`;
    default:
      return `${label.step}: ${labelWhat(label)}`;
  }
}

/** What a step's label says it is doing, without the step: `wait for approval (5m)`. */
export function labelWhat(label: Exclude<Label, { kind: 'audit' | 'check-signature' | 'admission' }>): string {
  switch (label.kind) {
    case 'action':
    case 'undo':
    case 'wait':
      return label.what;
    case 'ask-claude':
      return 'ask Claude';
    case 'investigate':
      return `investigate: ${label.what}`;
    case 'who-may':
      return `who may ${label.purpose}`;
    case 'notify':
      return `tell ${label.channel} (${label.what})`;
    case 'poll':
      return `poll again in ${formatDuration(label.everyMs)}`;
    case 'wait-for-approval':
      return `wait for approval (${formatDuration(label.timeoutMs)})`;
    case 'wait-for-decision':
      return `wait for a human decision (${formatDuration(label.timeoutMs)})`;
    case 'remind':
      return `${label.escalate ? 'escalate' : 'remind the people asked'} (${formatDuration(label.afterMs)})`;
  }
}

const STEP = '[a-z][a-z0-9_]*';
const TIMED = (what: string) => new RegExp(`^(${STEP}): ${what} \\(([0-9a-z]+)\\)$`);

/** Reads an activity's summary; `activityType` tells an action from the engine's own activities. */
export function readActivityLabel(activityType: string, text: string | undefined): Label | undefined {
  if (text === undefined) return undefined;
  if (activityType === ENGINE_ACTIVITY.recordAudit) return { kind: 'audit' };
  if (activityType === ENGINE_ACTIVITY.checkSignature) return { kind: 'check-signature' };
  if (activityType === ENGINE_ACTIVITY.checkAdmission) return { kind: 'admission' };
  const undo = new RegExp(`^undo (${STEP}): (.*)$`, 's').exec(text);
  if (undo) return { kind: 'undo', step: undo[1]!, what: undo[2]! };
  const [, step, what] = new RegExp(`^(${STEP}): (.*)$`, 's').exec(text) ?? [];
  if (step === undefined || what === undefined) return undefined;
  if ((activityType === ENGINE_ACTIVITY.askClaude || activityType === ENGINE_ACTIVITY.investigateTurn) && what === 'ask Claude')
    return { kind: 'ask-claude', step };
  const investigating = /^investigate: (.*)$/s.exec(what);
  if (investigating) return { kind: 'investigate', step, what: investigating[1]! };
  const told = /^tell (.+) \((request|reminder|escalation|settled)\)$/.exec(what);
  if ((activityType === ENGINE_ACTIVITY.notifyPeople || activityType === ENGINE_ACTIVITY.settleNotice) && told)
    return { kind: 'notify', step, channel: told[1]!, what: told[2] as 'request' | 'reminder' | 'escalation' | 'settled' };
  const purpose = /^who may (approve|decide)$/.exec(what)?.[1];
  if (activityType === ENGINE_ACTIVITY.resolvePeople && purpose) return { kind: 'who-may', step, purpose: purpose as 'approve' | 'decide' };
  return { kind: 'action', step, what };
}

/** Reads a timer's summary. */
export function readTimerLabel(text: string | undefined): Label | undefined {
  if (text === undefined) return undefined;
  for (const [kind, what] of [
    ['wait-for-approval', 'wait for approval'],
    ['wait-for-decision', 'wait for a human decision'],
  ] as const) {
    const m = TIMED(what).exec(text);
    const timeoutMs = m ? parseDuration(m[2]!) : undefined;
    if (m && timeoutMs !== undefined) return { kind, step: m[1]!, timeoutMs };
  }
  for (const [escalate, what] of [
    [false, 'remind the people asked'],
    [true, 'escalate'],
  ] as const) {
    const m = TIMED(what).exec(text);
    const afterMs = m ? parseDuration(m[2]!) : undefined;
    if (m && afterMs !== undefined) return { kind: 'remind', step: m[1]!, escalate, afterMs };
  }
  const poll = new RegExp(`^(${STEP}): poll again in ([0-9a-z]+)$`).exec(text);
  const everyMs = poll ? parseDuration(poll[2]!) : undefined;
  if (poll && everyMs !== undefined) return { kind: 'poll', step: poll[1]!, everyMs };
  const wait = new RegExp(`^(${STEP}): (.*)$`, 's').exec(text);
  return wait ? { kind: 'wait', step: wait[1]!, what: wait[2]! } : undefined;
}

/** The id of the child run a step starts: `<parent id>/<step>`, then `-2`, `-3`... for later ones. */
export function childWorkflowId(parentId: string, step: string, ordinal: number): string {
  return `${parentId}/${step}${ordinal > 1 ? `-${ordinal}` : ''}`;
}

/** The step that started a child run, from the child's id. */
export function readChildWorkflowId(parentId: string, childId: string): { step: string; ordinal: number } | undefined {
  if (!childId.startsWith(`${parentId}/`)) return undefined;
  const m = new RegExp(`^(${STEP})(?:-([0-9]+))?$`).exec(childId.slice(parentId.length + 1));
  return m ? { step: m[1]!, ordinal: m[2] ? Number(m[2]) : 1 } : undefined;
}
