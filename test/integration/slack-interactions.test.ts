// Answering from Slack: the buttons of a posted request, clicked, reach the receiver as Slack
// sends them (a signed form), and the run as an update recorded `via: slack`. Forged, stale,
// replayed and unmapped clicks are refused with a reason; the run refuses clickers who may not
// answer and clicks on a settled request. Only the valid click unblocks the run.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { approveUpdate, statusQuery } from '../../contract/messages';
import { startRun } from '../../temporal/start-run';
import { eventually } from '../helpers/eventually';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack';
import { pendingApproval } from '../helpers/pending';
import { buttonsOf, slackClick, startSlackReceiver, type SlackClick, type SlackReceiver } from '../helpers/slack-receiver';
import { keyDir, makeKey } from '../helpers/ssh-keys';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, testClient, withWorker } from '../helpers/temporal';

let slack: FakeSlack;
const saved = { ...process.env };
beforeAll(async () => {
  slack = await startFakeSlack();
  Object.assign(process.env, { SLACK_API_URL: `${slack.url}/api`, TEST_SLACK_TOKEN: 'xoxb-test' });
});
afterAll(async () => {
  process.env = saved;
  await slack.close();
  await closeTestClient();
});

/** A people file mapping alice and dave to Slack, posting requests to one Slack channel. */
function slackPeople(channel: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(keyDir(), 'people.yaml');
  writeFileSync(
    file,
    stringify({
      people: { alice: { slack: 'U0ALICE' }, dave: { slack: 'U0DAVE' } },
      channels: { 'oncall-slack': { slack: { token: { env: 'TEST_SLACK_TOKEN' }, channel } } },
      notify: { default: ['oncall-slack'] },
      ...extra,
    }),
  );
  return file;
}

const people = slackPeople('C0CLICK');

/** A click on a button of a posted message, with a response_url on the Slack stand-in. */
const click = (button: { action_id: string; value: string }, user: string, at?: number) =>
  slackClick(button, user, { responseUrl: `${slack.url}/response`, ...(at !== undefined && { at }) });

it('approves on a valid click, and refuses forged, stale, replayed, unmapped, ineligible, settled and late clicks', async () => {
  let receiver: SlackReceiver | undefined;
  try {
    const out = await withWorker(
      async (s) => {
        const logged: Array<Record<string, unknown>> = [];
        receiver = await startSlackReceiver(await testClient(), s.taskQueue, { peopleFile: people }, (e) => logged.push(e));
        const send = receiver.send;
        const runbook = compile(`
name: click-to-approve
steps:
  - id: approve_restart
    approve: { approvers: [alice, bob], timeout: 5m }
  - id: restart
    uses: test.probe
    with: { name: click-restart, value: 'restart checkout' }
  - id: approve_cleanup
    approve: { approvers: [alice], timeout: 5m }
  - id: cleanup
    uses: test.probe
    with: { name: click-cleanup, value: 'clean up' }
`);
        const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe' });
        await pendingApproval(handle);
        const posted = await eventually(
          async () => slack.posts.find((p) => p.channel === 'C0CLICK' && p.text.includes(handle.workflowId)),
          'the request in Slack',
        );
        const [approve, reject] = buttonsOf(posted.blocks);
        const valid = click(approve!, 'U0ALICE');
        const forged = { ...valid, headers: { ...valid.headers, 'x-slack-signature': `v0=${'0'.repeat(64)}` } };
        const replies = {
          forged: await send(forged),
          stale: await send(click(approve!, 'U0ALICE', Math.floor(Date.now() / 1000) - 600)),
          unmapped: await send(click(approve!, 'U0NOBODY')),
          ineligible: await send(click(approve!, 'U0DAVE')),
        };
        const waiting = (await handle.query(statusQuery)).status;
        const accepted = await send(valid);
        const replayed = await send(valid);
        // The run goes on to its next approval; the first request's other button is now stale.
        await pendingApproval(handle, 'approve_cleanup');
        const settled = await send(click(reject!, 'U0ALICE'));
        await eventually(async () => slack.updates.some((u) => u.ts === posted.ts), 'the message settled');
        const status = await handle.query(statusQuery);
        await handle.terminate();
        const closed = await send(click(reject!, 'U0ALICE', Math.floor(Date.now() / 1000) - 1));
        return { approve, reject, replies, waiting, accepted, replayed, settled, closed, status, logged, posted };
      },
      { people: { file: people } },
    );
    expect(out.approve).toMatchObject({ text: { text: 'Approve' } });
    expect(out.reject).toMatchObject({ text: { text: 'Reject' } });
    expect(out.replies).toEqual({
      forged: { status: 401, text: 'bad X-Slack-Signature' },
      stale: { status: 401, text: 'stale or missing X-Slack-Request-Timestamp (more than 5 minutes off)' },
      unmapped: { status: 403, text: expect.stringContaining('Slack user U0NOBODY is not in the people file') },
      ineligible: { status: 200, text: 'refused: dave is not an approver of step `approve_restart` (approvers: alice, bob)' },
    });
    expect(out.waiting).toBe('awaiting-approval');
    expect(out.accepted).toEqual({ status: 200, text: 'approval 1 of 1 recorded for step `approve_restart`; approved' });
    expect(out.replayed).toEqual({ status: 409, text: 'this request was already handled (replayed)' });
    expect(out.settled).toEqual({ status: 200, text: 'refused: step `approve_restart` is no longer waiting for approval: it has ended' });
    expect(out.closed).toEqual({ status: 200, text: 'refused: the run has ended, so nothing waits for this answer' });
    expect(callsOf('click-restart')).toHaveLength(1);
    // The clicker is told in Slack too; the run records where each answer came from.
    expect(slack.responses.map((r) => r.text)).toEqual(
      expect.arrayContaining([expect.stringContaining('U0NOBODY'), 'approval 1 of 1 recorded for step `approve_restart`; approved']),
    );
    expect(out.status.audit.map((a) => [a.by, a.via, a.slackUser, a.outcome])).toEqual([
      ['dave', 'slack', 'U0DAVE', 'refused'],
      ['alice', 'slack', 'U0ALICE', 'accepted'],
      ['alice', 'slack', 'U0ALICE', 'refused'],
    ]);
    expect(slack.updates.find((u) => u.ts === out.posted.ts)?.text).toMatch(/^approved by alice \(/);
    expect(out.logged.filter((e) => e.msg === 'slack interaction refused').map((e) => e.reason)).toHaveLength(4);
  } finally {
    await receiver?.close();
  }
});

it('offers no buttons on a signed step, and the run refuses an unsigned click anyway', async () => {
  await withWorker(
    async (s) => {
      const runbook = compile(`
name: click-signed
steps:
  - id: approve_restart
    approve: { approvers: [alice], signed: true, timeout: 5m }
  - id: restart
    uses: test.probe
    with: { name: click-signed-restart, value: 'restart' }
`);
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe' });
      await pendingApproval(handle);
      const posted = await eventually(async () => slack.posts.find((p) => p.text.includes(handle.workflowId)), 'the request in Slack');
      expect((posted.blocks as Array<{ type: string }>).some((b) => b.type === 'actions')).toBe(false);
      expect(posted.text).toContain('signed answers only');
      await handle.terminate();
    },
    { people: { file: people } },
  );
});

it('lets Slack stand for a signature only where the people file trusts its bridge key, and only for the clicker', async () => {
  const bridge = makeKey(keyDir(), 'receiver-bridge');
  const trusting = slackPeople('C0BRIDGE', { slackBridge: { keys: [bridge.line], trust: ['click-bridge/approve_restart'] } });
  let receiver: SlackReceiver | undefined;
  try {
    const out = await withWorker(
      async (s) => {
        receiver = await startSlackReceiver(await testClient(), s.taskQueue, { peopleFile: trusting, bridgeKey: bridge.file });
        const send = async (c: SlackClick) => (await receiver!.send(c)).text;
        const runbook = compile(`
name: click-bridge
steps:
  - id: approve_restart
    approve: { approvers: [alice, dave], minApprovals: 1, signed: true, timeout: 5m }
  - id: restart
    uses: test.probe
    with: { name: bridge-restart, value: 'restart' }
  - id: approve_cleanup
    approve: { approvers: [alice], signed: true, timeout: 5m }
  - id: cleanup
    uses: test.probe
    with: { name: bridge-cleanup, value: 'clean up' }
`);
        const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe' });
        const first = await pendingApproval(handle);
        const posted = await eventually(async () => slack.posts.find((p) => p.channel === 'C0BRIDGE' && p.text.includes(handle.workflowId)), 'the request');
        const approve = buttonsOf(posted.blocks)[0]!;
        const accepted = await send(click(approve, 'U0ALICE'));
        const second = await pendingApproval(handle, 'approve_cleanup');
        const untrustedPost = await eventually(
          async () => slack.posts.find((p) => p.channel === 'C0BRIDGE' && p.text.includes('approve_cleanup')),
          'the second request',
        );
        // The untrusted step offers no buttons; a click made up from the first one's shape is refused by the run.
        const forgedValue = JSON.stringify({ w: handle.workflowId, s: 'approve_cleanup', r: second.requestedAt, p: second.planHash });
        const untrusted = await send(click({ action_id: 'runbook.approve.0', value: forgedValue }, 'U0ALICE'));
        const status = await handle.query(statusQuery);
        await handle.terminate();
        return { first, accepted, untrustedPost, untrusted, status };
      },
      { people: { file: trusting } },
    );
    expect(out.accepted).toBe('approval 1 of 1 recorded for step `approve_restart`; approved');
    expect(out.status.audit[0]).toMatchObject({
      by: 'alice',
      via: 'slack',
      slackUser: 'U0ALICE',
      signed: { verified: true, fingerprint: bridge.fingerprint, keyType: 'slack-bridge (ssh-ed25519)' },
    });
    expect((out.untrustedPost.blocks as Array<{ type: string }>).some((b) => b.type === 'actions')).toBe(false);
    expect(out.untrusted).toBe(
      'refused: signature refused: the people file does not trust Slack clicks as signatures for click-bridge/approve_cleanup (slackBridge.trust)',
    );
    expect(callsOf('bridge-cleanup')).toHaveLength(0);
  } finally {
    await receiver?.close();
  }
});

it('treats `slackUser` on an update as a bounded claim: oversized refused before history, malformed not recorded as Slack', async () => {
  await withWorker(
    async (s) => {
      const runbook = compile(`
name: claimed-slack
steps:
  - id: approve_restart
    approve: { approvers: [alice, bob], minApprovals: 2, timeout: 5m }
  - id: restart
    uses: test.probe
    with: { name: claimed-restart, value: 'restart' }
`);
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe' });
      const { planHash } = await pendingApproval(handle);
      const huge = await handle
        .executeUpdate(approveUpdate, { args: [{ step: 'approve_restart', planHash, by: 'alice', slackUser: `U${'A'.repeat(5_000)}` }] })
        .catch((e: Error & { cause?: Error }) => e.cause?.message ?? e.message);
      await handle.executeUpdate(approveUpdate, { args: [{ step: 'approve_restart', planHash, by: 'alice', slackUser: '<@everyone>\nforged' }] });
      const status = await handle.query(statusQuery);
      const accepted = (await handle.fetchHistory()).events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
      await handle.terminate();
      expect(huge).toBe('approve refused: `slackUser` is longer than 32 characters');
      expect(accepted).toHaveLength(1);
      expect(status.audit).toEqual([expect.objectContaining({ by: 'alice', via: 'update', outcome: 'accepted' })]);
      expect(status.audit[0]).not.toHaveProperty('slackUser');
    },
    { people: { file: people } },
  );
});
