// Every activity of ours heartbeats on a timer, whatever it waits on (a command, a request, a
// model that has not streamed its first token yet), so a dead worker is noticed within the
// heartbeat timeout and a cancellation reaches the activity within a second or two.
import { Context } from '@temporalio/activity';
import { ACTIVITY_HEARTBEAT_MS } from '../contract/activities';

/** Starts heartbeating for the current activity; call the returned function to stop. */
export function heartbeatWhileRunning(): () => void {
  const activity = Context.current();
  const timer = setInterval(() => activity.heartbeat(), ACTIVITY_HEARTBEAT_MS);
  return () => clearInterval(timer);
}
