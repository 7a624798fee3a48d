// Operators are told: a run that waits for people posts its request to the channels the people
// file routes it to, once per channel, reminds and escalates on durable timers while nobody
// answers, stops when someone does, and marks the Slack message settled. Slack, PagerDuty and
// the webhook receiver are local stand-ins (test/helpers/fake-slack.ts) reached through the same
// URLs settings a real deployment changes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { stringify } from 'yaml';
import { approveUpdate, statusQuery } from '../../contract/messages';
import { startRun } from '../../temporal/start-run';
import { eventually } from '../helpers/eventually';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack';
import { pendingApproval } from '../helpers/pending';
import { keyDir } from '../helpers/ssh-keys';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, settings, testClient, withWorker } from '../helpers/temporal';
import { exited, startWorkerProcess } from '../helpers/worker-process';

const HOOK_SECRET = `whsec_${Buffer.from('a-signing-secret-of-32-bytes-ok!').toString('base64')}`;
let slack: FakeSlack;
const saved = { ...process.env };
beforeAll(async () => {
  slack = await startFakeSlack();
  Object.assign(process.env, {
    SLACK_API_URL: `${slack.url}/api`,
    PAGERDUTY_EVENTS_URL: `${slack.url}/pagerduty`,
    TEST_SLACK_TOKEN: 'xoxb-test',
    TEST_SLACK_WEBHOOK: `${slack.url}/incoming`,
    TEST_HOOK_SECRET: HOOK_SECRET,
    TEST_PD_KEY: 'pd-routing-key',
  });
});
afterAll(async () => {
  process.env = saved;
  await slack.close();
  await closeTestClient();
});

function peopleFile(notify: Record<string, unknown>): string {
  const file = path.join(keyDir(), 'people.yaml');
  writeFileSync(
    file,
    stringify({
      groups: { oncall: ['alice', 'bob'], secondary: ['dave'] },
      people: { alice: { slack: 'U0ALICE' }, dave: { slack: 'U0DAVE' } },
      channels: {
        'oncall-slack': { slack: { token: { env: 'TEST_SLACK_TOKEN' }, channel: 'C0ONCALL' } },
        'secondary-slack': { slack: { token: { env: 'TEST_SLACK_TOKEN' }, channel: 'C0SECOND' } },
        'team-incoming': { slack: { webhook: { env: 'TEST_SLACK_WEBHOOK' } } },
        'ops-hook': { webhook: { url: `${slack.url}/hook`, secret: { env: 'TEST_HOOK_SECRET' } } },
        pagerduty: { pagerduty: { routingKey: { env: 'TEST_PD_KEY' } } },
      },
      notify,
    }),
  );
  return file;
}

const RUNBOOK = (tag: string, approve: string) =>
  compile(`
name: told-${tag}
description: Restart checkout when its error rate breaks the SLO.
steps:
  - id: approve_restart
    description: On-call approves the restart
    approve: ${approve}
  - id: restart
    uses: test.probe
    with: { name: '${tag}-restart', value: 'restart checkout' }
`);

const postsTo = (channel: string, step = 'approve_restart') => slack.posts.filter((p) => p.channel === channel && p.text.includes(`step \`${step}\``));

it('posts once per channel, reminds, escalates to the next group who may then approve, and settles the message', async () => {
  const file = peopleFile({ groups: { oncall: ['oncall-slack', 'ops-hook', 'team-incoming', 'pagerduty'], secondary: ['secondary-slack'] } });
  const out = await withWorker(
    async (s) => {
      const runbook = RUNBOOK('escalate', '{ approvers: [group:oncall], timeout: 1m, remind: 2s, escalate: { after: 4s, to: [group:secondary] } }');
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe' });
      const pending = await pendingApproval(handle);
      await eventually(
        async () => postsTo('C0ONCALL').length === 1 && slack.webhooks.length === 1 && slack.incoming.length === 1 && slack.pagerduty.length === 1,
        'the request on all four channels',
      );
      await eventually(async () => postsTo('C0ONCALL').length === 2, 'a reminder on the on-call channel');
      await eventually(async () => postsTo('C0SECOND').length === 1, 'the escalation to the secondary');
      const before = await handle.query(statusQuery);
      const reply = await handle.executeUpdate(approveUpdate, { args: [{ step: 'approve_restart', planHash: pending.planHash, by: 'dave' }] });
      await handle.result();
      await eventually(async () => slack.updates.length === 3, 'the three Slack posts marked settled');
      const countsAtEnd = postsTo('C0ONCALL').length;
      return { pending, before, reply, countsAtEnd, id: handle.workflowId, history: await handle.fetchHistory() };
    },
    { people: { file } },
  );
  // The request says what the run is, why it waits, the plan, the deadline, the link and the command.
  const request = postsTo('C0ONCALL')[0]!;
  expect(request.text).toContain('told-escalate waits for approval of `restart` (step `approve_restart`)');
  expect(request.text).toContain('For <@U0ALICE>');
  expect(request.text).toContain(`plan ${out.pending.planHash}`);
  expect(request.text).toContain('"value": "restart checkout"');
  expect(request.text).toContain(`Deadline ${out.pending.deadline}; then the step fails`);
  expect(request.text).toContain(`/namespaces/default/workflows/${encodeURIComponent(out.id)}`);
  expect(request.text).toContain(`$ runbook approve ${out.id} --step approve_restart`);
  expect(request.blocks?.length).toBeGreaterThanOrEqual(3);
  expect(postsTo('C0ONCALL')[1]!.text).toMatch(/^Reminder: /);
  expect(postsTo('C0SECOND')[0]!.text).toMatch(/^Escalated: /);
  expect(postsTo('C0SECOND')[0]!.text).toContain('<@U0DAVE>');
  // The escalated group may answer from then on.
  expect(out.before.pending[0]).toMatchObject({ eligible: ['alice', 'bob', 'dave'] });
  expect(out.reply.message).toBe('approval 1 of 1 recorded for step `approve_restart`; approved');
  expect(callsOf('escalate-restart')).toHaveLength(1);
  // Answered: no more reminders, and every Slack bot post now says how it ended.
  await new Promise((r) => setTimeout(r, 2_500));
  expect(postsTo('C0ONCALL')).toHaveLength(out.countsAtEnd);
  expect(slack.updates.map((u) => u.text)).toEqual(Array(3).fill(expect.stringMatching(/^approved by dave \(20[0-9-]+T[0-9:.]+Z\)$/)));
  // The webhook is signed (Standard Webhooks) and names the request; PagerDuty dedups on its own key.
  const hook = slack.webhooks[0]!;
  const verified = new Webhook(HOOK_SECRET).verify(hook.body, hook.headers as Record<string, string>) as { type: string; key: string };
  expect(verified).toMatchObject({ type: 'runbook.request', key: hook.headers['webhook-id'] });
  const key = (channel: string) => [out.id, 'approve_restart', out.pending.requestedAt, 'request', channel].join('|');
  expect(hook.headers['webhook-id']).toBe(key('ops-hook'));
  expect(slack.pagerduty[0]).toMatchObject({ routing_key: 'pd-routing-key', event_action: 'trigger', dedup_key: key('pagerduty') });
  // Each send is an activity in history, named for the UI; none holds up the run.
  const told = (out.history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifyPeople');
  expect(told).toHaveLength(4 + 4 + 1);
});

it('posts once even when Slack rate-limits it or loses the answer to a post it kept', async () => {
  const file = peopleFile({ default: ['oncall-slack'] });
  slack.faults.push('rate-limited', 'answer-lost');
  await withWorker(
    async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, {
        runbook: RUNBOOK('faults', '{ approvers: [alice], timeout: 1m }'),
        inputs: {},
        startedBy: 'zoe',
      });
      const pending = await pendingApproval(handle);
      // The first try is refused (429, retry after 1 s); the second is kept but its answer lost; the third finds it.
      await eventually(async () => {
        const history = await handle.fetchHistory();
        return (
          (history.events ?? []).some((e) => e.activityTaskCompletedEventAttributes) &&
          postsTo('C0ONCALL').filter((p) => p.text.includes('told-faults')).length >= 1
        );
      }, 'the post to complete');
      await handle.executeUpdate(approveUpdate, { args: [{ step: 'approve_restart', planHash: pending.planHash, by: 'alice' }] });
      await handle.result();
    },
    { people: { file } },
  );
  expect(slack.faults).toEqual([]);
  expect(slack.posts.filter((p) => p.text.includes('told-faults'))).toHaveLength(1);
});

it('posts once when the worker is killed in the middle of a post', async () => {
  const file = peopleFile({ default: ['oncall-slack'] });
  const text = `
name: told-killed
steps:
  - id: approve_restart
    approve: { approvers: [alice], timeout: 5m }
  - id: restart
    uses: shell
    readOnly: it only prints
    with: { command: [echo, restart] }
`;
  const s = settings();
  const env = { RUNBOOK_PEOPLE_FILE: file };
  slack.faults.push('hang');
  let worker = await startWorkerProcess(s, env, [text]);
  try {
    const handle = await startRun(await testClient(), s.taskQueue, { runbook: compile(text), inputs: {}, startedBy: 'zoe' });
    // The post reached Slack; its answer never comes back, and the worker dies.
    await eventually(async () => slack.posts.some((p) => p.text.includes(handle.workflowId)), 'the post to reach Slack');
    worker.kill('SIGKILL');
    await exited(worker);
    worker = await startWorkerProcess(s, env, [text]);
    // The retry finds the post by its metadata instead of posting again, and the request still settles.
    const pending = await pendingApproval(handle);
    await eventually(async () => {
      const history = await handle.fetchHistory();
      return (history.events ?? []).some((e) => e.activityTaskCompletedEventAttributes);
    }, 'the retried send to complete');
    await handle.executeUpdate(approveUpdate, { args: [{ step: 'approve_restart', planHash: pending.planHash, by: 'alice' }] });
    await handle.result();
    await eventually(async () => slack.updates.some((u) => slack.posts.find((p) => p.ts === u.ts)?.text.includes(handle.workflowId)), 'the post settled');
    expect(slack.posts.filter((p) => p.text.includes(handle.workflowId))).toHaveLength(1);
  } finally {
    worker.kill('SIGKILL');
  }
});
