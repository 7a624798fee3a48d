// Where a scenario's run stands, read from the test server: closed, busy (a workflow task or an
// activity in flight, here or in a child), or idle, waiting only for time (timers, retry
// backoff) or for people. The session's watchdog uses it to tell a run that waits forever.
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;
const RUNNING = temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;

export type RunState =
  | { kind: 'closed' }
  | { kind: 'busy' }
  | {
      kind: 'idle';
      /** Server time (ms) at which a timer or retry is due; none: only people can move it. */
      wakeAt?: number;
    };

export async function observe(client: Client, workflowId: string): Promise<RunState> {
  const service = client.workflowService;
  const namespace = client.options.namespace;
  // History first: an activity it shows open is either among those described after it, or has
  // ended since (and then a workflow task is due), which counts as busy.
  const open = openWork(await historyOf(client, workflowId));
  const described = await service.describeWorkflowExecution({ namespace, execution: { workflowId } });
  if (described.workflowExecutionInfo?.status !== RUNNING) return { kind: 'closed' };
  if (open.workflowTask) return { kind: 'busy' };
  const wakes = [...open.timers];
  const pending = new Map((described.pendingActivities ?? []).map((a) => [String(a.activityId), a]));
  for (const [activityId, retry] of open.activities) {
    const activity = pending.get(activityId);
    if (!activity) return { kind: 'busy' };
    // An attempt that ended and whose next one has not started waits out its retry backoff, which
    // is time; anything else is work in flight. (The test server reports such an activity as
    // STARTED, so the times tell, not the state.)
    const ended = activity.lastAttemptCompleteTime ? tsToMs(activity.lastAttemptCompleteTime) : undefined;
    const started = activity.lastStartedTime ? tsToMs(activity.lastStartedTime) : undefined;
    const backingOff = (activity.attempt ?? 1) > 1 && ended !== undefined && (started === undefined || started <= ended);
    if (!backingOff) return { kind: 'busy' };
    wakes.push(ended + backoffMs(retry, activity.attempt!));
  }
  for (const child of open.children) {
    const state = await observe(client, child);
    if (state.kind === 'busy') return state;
    if (state.kind === 'idle' && state.wakeAt !== undefined) wakes.push(state.wakeAt);
  }
  return wakes.length > 0 ? { kind: 'idle', wakeAt: Math.min(...wakes) } : { kind: 'idle' };
}

type Event = temporal.api.history.v1.IHistoryEvent;
type Retry = temporal.api.common.v1.IRetryPolicy | null | undefined;

async function historyOf(client: Client, workflowId: string): Promise<Event[]> {
  const events: Event[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId }, nextPageToken });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

function openWork(events: Event[]) {
  let workflowTask = false;
  const timers = new Map<string, number>();
  /** Open activities by scheduled event id: their activity id and retry policy. */
  const activities = new Map<number, { activityId: string; retry: Retry }>();
  const children = new Map<number, string>();
  for (const e of events) {
    const id = Number(e.eventId);
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        workflowTask = true;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        workflowTask = false;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED: {
        const a = e.timerStartedEventAttributes!;
        timers.set(a.timerId!, tsToMs(e.eventTime!) + tsToMs(a.startToFireTimeout!));
        break;
      }
      case EventType.EVENT_TYPE_TIMER_FIRED:
        timers.delete(e.timerFiredEventAttributes!.timerId!);
        break;
      case EventType.EVENT_TYPE_TIMER_CANCELED:
        timers.delete(e.timerCanceledEventAttributes!.timerId!);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const a = e.activityTaskScheduledEventAttributes!;
        activities.set(id, { activityId: a.activityId!, retry: a.retryPolicy });
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: {
        const closed =
          e.activityTaskCompletedEventAttributes ??
          e.activityTaskFailedEventAttributes ??
          e.activityTaskTimedOutEventAttributes ??
          e.activityTaskCanceledEventAttributes;
        activities.delete(Number(closed!.scheduledEventId));
        break;
      }
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        children.set(id, e.startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!);
        break;
      default:
        closeChild(e, children);
    }
  }
  return {
    workflowTask,
    timers: [...timers.values()],
    activities: new Map([...activities.values()].map((a) => [a.activityId, a.retry])),
    children: [...children.values()],
  };
}

function closeChild(e: Event, children: Map<number, string>): void {
  const closed =
    e.childWorkflowExecutionCompletedEventAttributes ??
    e.childWorkflowExecutionFailedEventAttributes ??
    e.childWorkflowExecutionCanceledEventAttributes ??
    e.childWorkflowExecutionTimedOutEventAttributes ??
    e.childWorkflowExecutionTerminatedEventAttributes ??
    e.startChildWorkflowExecutionFailedEventAttributes;
  if (closed?.initiatedEventId != null) children.delete(Number(closed.initiatedEventId));
}

/** Temporal's retry interval before `attempt` (2 = the first retry). */
function backoffMs(retry: Retry, attempt: number): number {
  const initial = retry?.initialInterval ? tsToMs(retry.initialInterval) : 1_000;
  const coefficient = retry?.backoffCoefficient || 2;
  const interval = initial * coefficient ** (attempt - 2);
  const max = retry?.maximumInterval ? tsToMs(retry.maximumInterval) : initial * 100;
  return Math.min(interval, max);
}
