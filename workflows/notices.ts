// Telling people that a run waits for them: the request on each channel the people file routes
// it to, reminders and an escalation on durable timers while nobody answers, and the posted
// messages marked settled once someone does. Sends never hold up the run: a channel that is
// down is retried in the background and given up on when the request is settled.
import { proxyActivities } from '@temporalio/workflow';
import type { NoticeKind, NotifyActivities, PostedNotice, RequestNotice } from '../contract/notify';
import { labelText } from '../contract/labels';

const { notifyPeople, settleNotice } = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '30s',
  heartbeatTimeout: '5s',
  retry: { maximumAttempts: 8, maximumInterval: '1m' },
});

export class Notices {
  private readonly posts: Array<Promise<PostedNotice | undefined>> = [];

  constructor(
    private readonly notice: (kind: NoticeKind) => RequestNotice,
    /** Keeps the send going until the run ends (the run waits for what is in flight before it closes). */
    private readonly track: (work: Promise<unknown>) => void,
  ) {}

  send(kind: NoticeKind, channels: readonly string[]): void {
    const notice = this.notice(kind);
    for (const channel of channels) {
      const post = notifyPeople
        .executeWithOptions({ summary: labelText({ kind: 'notify', step: notice.pending.step, channel, what: kind }) }, [notice, channel])
        .catch(() => undefined);
      this.posts.push(post);
      this.track(post);
    }
  }

  /** Marks every message posted for this request settled, with what happened. */
  settle(outcome: string, step: string): void {
    const settled = Promise.all(this.posts).then((posted) =>
      Promise.all(
        posted
          .filter((p): p is PostedNotice => p?.ref !== undefined)
          .map((p) =>
            settleNotice
              .executeWithOptions({ summary: labelText({ kind: 'notify', step, channel: p.channel, what: 'settled' }) }, [p, outcome])
              .catch(() => undefined),
          ),
      ),
    );
    this.track(settled);
  }
}
