// Ctrl-C or a CI job's timeout must stop the test server too, whenever it arrives: while the server
// is starting (the server process exists before `createTimeSkipping` returns) or while scenarios run.
import type { TestWorkflowEnvironment } from '@temporalio/testing';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export class StopOnInterrupt {
  private env: TestWorkflowEnvironment | undefined;
  private interrupted = false;
  private readonly onSignal = () => {
    this.interrupted = true;
    void this.stop();
  };

  constructor() {
    for (const s of SIGNALS) process.once(s, this.onSignal);
  }

  /** The server is up: stop it now if the signal came while it was starting. */
  adopt(env: TestWorkflowEnvironment): void {
    this.env = env;
    if (this.interrupted) void this.stop();
  }

  /** Startup failed after a signal: nothing is left to stop, so honour the signal. */
  exitIfInterrupted(): void {
    if (this.interrupted) process.exit(130);
  }

  release(): void {
    for (const s of SIGNALS) process.off(s, this.onSignal);
  }

  private async stop(): Promise<void> {
    if (!this.env) return; // adopt() finishes the job once the server exists
    await this.env.teardown().catch(() => undefined);
    process.exit(130);
  }
}
