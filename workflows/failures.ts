// Turning Temporal failures into the one-line reasons a run records and shows.
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TemporalFailure, TimeoutFailure } from '@temporalio/workflow';

export function reasonOf(err: unknown): string {
  let e: unknown = err;
  // Activity and child failures wrap the real cause; the innermost message is the useful one.
  while ((e instanceof ActivityFailure || e instanceof ChildWorkflowFailure) && e.cause) e = e.cause;
  if (e instanceof TimeoutFailure) return `timed out (${String(e.timeoutType).toLowerCase().replace(/_/g, ' ')})`;
  if (e instanceof ApplicationFailure || e instanceof TemporalFailure || e instanceof Error) return e.message;
  return String(e);
}
