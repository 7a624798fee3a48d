// The activities that tell people a run waits for them (contract/notify.ts). The people file is
// read at each send, so a changed channel or a new Slack id applies to the next message.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { NotifyActivities } from '../../contract/notify';
import { runUrl } from '../../contract/urls';
import { loadPeopleFile, slackTrusts } from '../humans/people-file';
import { send, settle } from './channels';
import { heartbeatWhileRunning } from '../heartbeat';
import { requestMessage } from './message';

export function notifyActivities(file: string): NotifyActivities {
  const channelOf = async (name: string) => {
    const people = await loadPeopleFile(file);
    if (!Object.hasOwn(people.notify.channels, name))
      throw ApplicationFailure.create({ type: 'NotifyMisconfigured', message: `the people file no longer defines channel \`${name}\``, nonRetryable: true });
    return { people, channel: people.notify.channels[name]! };
  };
  return {
    async notifyPeople(notice, name) {
      const { people, channel } = await channelOf(name);
      const ctx = Context.current();
      const p = notice.pending;
      // Slack mentions the people asked who have a Slack id, so their own notifications fire.
      const mentions =
        'slack' in channel
          ? p.eligible.flatMap((who) => (Object.hasOwn(people.people, who) && people.people[who]!.slack ? [`<@${people.people[who]!.slack}>`] : []))
          : [];
      const message = requestMessage(notice, runUrl(ctx.info.namespace, notice.workflowId), mentions, slackTrusts(people, notice.runbook.name, p.step));
      const key = [notice.workflowId, p.step, p.requestedAt, notice.kind, name].join('|');
      // Heartbeats let a dead worker's send be retried within seconds, not after its whole timeout.
      const stop = heartbeatWhileRunning();
      try {
        return await send({ name, channel, notice, message, key, attempt: ctx.info.attempt, signal: ctx.cancellationSignal });
      } finally {
        stop();
      }
    },
    async settleNotice(posted, outcome) {
      const { channel } = await channelOf(posted.channel);
      const stop = heartbeatWhileRunning();
      try {
        await settle(posted, channel, outcome, Context.current().cancellationSignal);
      } finally {
        stop();
      }
    },
  };
}
