// Time for all the scenarios that share one test server. The server's time skipping stays locked
// (time flows as on a wall clock) except here: when every running scenario is idle, the clock
// jumps to the earliest timer or retry any of them waits for, so an hour's approval timeout
// takes no wall time, and no scenario's timer fires while another is still busy.
import type { TestService } from '@temporalio/client';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';

/** What an idle scenario learns: time moved on (look again), or nothing will ever move it. */
export type Tick = 'advanced' | 'stuck';

interface Waiter {
  wakeAt?: number;
  resolve: (tick: Tick) => void;
}

export class Clock {
  private readonly active = new Set<object>();
  private readonly waiting = new Map<object, Waiter>();
  private advancing = false;
  /** How far time has been moved in all, for reports. */
  skippedMs = 0;

  constructor(private readonly testService: TestService) {}

  join(scenario: object): void {
    this.active.add(scenario);
  }

  leave(scenario: object): void {
    this.active.delete(scenario);
    this.waiting.delete(scenario);
    void this.advanceWhenAllIdle();
  }

  /** Called by an idle scenario; resolves once time has moved, or when no scenario can move any more. */
  idle(scenario: object, wakeAt: number | undefined): Promise<Tick> {
    return new Promise((resolve) => {
      this.waiting.set(scenario, { ...(wakeAt !== undefined && { wakeAt }), resolve });
      void this.advanceWhenAllIdle();
    });
  }

  private async advanceWhenAllIdle(): Promise<void> {
    if (this.advancing || this.active.size === 0 || this.waiting.size < this.active.size) return;
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    const wakes = waiters.flatMap((w) => (w.wakeAt === undefined ? [] : [w.wakeAt]));
    if (wakes.length === 0) {
      waiters.forEach((w) => w.resolve('stuck'));
      return;
    }
    this.advancing = true;
    try {
      const now = tsToMs((await this.testService.getCurrentTime({})).time!);
      const by = Math.max(1, Math.min(...wakes) - now + 1);
      await this.testService.unlockTimeSkippingWithSleep({ duration: msToTs(by) });
      this.skippedMs += by;
    } catch {
      // The server is going away (a scenario's wall-time limit, the end of the suite): the scenarios look again and end.
    } finally {
      this.advancing = false;
      waiters.forEach((w) => w.resolve('advanced'));
    }
    void this.advanceWhenAllIdle();
  }
}
