// Time on the scenarios' test server. It skips on its own: whenever no workflow task and no
// activity is in flight anywhere, the server jumps to the next timer or retry, so an hour of
// timeouts takes no wall time. The one thing that must not be skipped is a question to people
// that a scenario answers: the activity just before it (resolving who may answer, or the model
// call of a step whose scenario has a person answer) holds time, and the session lets go once it
// has answered. Holds are counted by the server; each is released exactly once.
import type { TestService } from '@temporalio/client';

export class ServerTime {
  constructor(private readonly testService: TestService) {}

  /** Time skips on its own from now on (the server starts with it held once). */
  async start(): Promise<void> {
    await this.testService.unlockTimeSkipping({});
  }

  async hold(): Promise<void> {
    await this.testService.lockTimeSkipping({});
  }

  async release(): Promise<void> {
    await this.testService.unlockTimeSkipping({});
  }
}
