// Issue #18: how fast people are told, and how fast a click moves a run. (1) From the moment a
// run starts waiting for approval to the moment its request reaches Slack (the local stand-in of
// the tests), median and p99; (2) from a Slack button click at the receiver to the run's end,
// against the same approval sent as an update (the CLI's way) as the baseline, interleaved.
//   npm run bench -- notify
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { stringify } from 'yaml';
import { auditActivities } from '../activities/humans/audit';
import { peopleActivities } from '../activities/humans/people';
import { notifyActivities } from '../activities/notify/activities';
import { actionActivities } from '../activities/run-action';
import { approveUpdate, statusQuery } from '../contract/messages';
import type { PendingApproval } from '../contract/run';
import { startRun } from '../temporal/start-run';
import { startFakeSlack } from '../test/helpers/fake-slack';
import { buttonsOf, slackClick, startSlackReceiver } from '../test/helpers/slack-receiver';
import { keyDir } from '../test/helpers/ssh-keys';
import { fmt, median, percentile } from './stats';
import { noop } from './support/noop-action';
import { admitting, benchBundle, compileBench, startBenchServer } from './support/server';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const TASK_QUEUE = 'bench-notify';

async function main(): Promise<void> {
  const slack = await startFakeSlack();
  Object.assign(process.env, { SLACK_API_URL: `${slack.url}/api`, BENCH_SLACK_TOKEN: 'xoxb-test' });
  const people = path.join(keyDir(), 'people.yaml');
  writeFileSync(
    people,
    stringify({
      people: { alice: { slack: 'U0ALICE' } },
      channels: { oncall: { slack: { token: { env: 'BENCH_SLACK_TOKEN' }, channel: 'C0BENCH' } } },
      notify: { default: ['oncall'] },
    }),
  );
  const runbook = compileBench(
    'name: told\nsteps:\n  - id: gate\n    approve: { approvers: [alice], timeout: 5m }\n  - id: act\n    uses: bench.noop\n    readOnly: a no-op\n    with: { n: 1 }\n',
  );
  const env = await startBenchServer();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await benchBundle(),
    activities: {
      ...actionActivities([noop]),
      ...admitting(runbook),
      ...peopleActivities({ file: people, requireSignatures: false }),
      ...notifyActivities(people),
      ...auditActivities,
    },
  });
  const receiver = await startSlackReceiver(env.client, TASK_QUEUE, { peopleFile: people });
  await worker.runUntil(async () => {
    const once = async (viaSlack: boolean) => {
      const handle = await startRun(env.client, TASK_QUEUE, { runbook, inputs: {}, startedBy: 'bench' });
      let pending: PendingApproval | undefined;
      while (!pending) pending = (await handle.query(statusQuery)).pending.find((p): p is PendingApproval => p.kind === 'approval');
      let posted = slack.posts.find((p) => p.text.includes(handle.workflowId));
      while (!posted) {
        await new Promise((r) => setTimeout(r, 2));
        posted = slack.posts.find((p) => p.text.includes(handle.workflowId));
      }
      const toldMs = posted.receivedAt - Date.parse(pending.requestedAt);
      const started = performance.now();
      if (viaSlack) {
        const answer = await receiver.send(slackClick(buttonsOf(posted.blocks)[0]!, 'U0ALICE'));
        if (answer.status !== 200) throw new Error(`click refused: ${answer.text}`);
      } else {
        await handle.executeUpdate(approveUpdate, { args: [{ step: 'gate', planHash: pending.planHash, by: 'alice' }] });
      }
      await handle.result();
      return { toldMs, proceedMs: performance.now() - started };
    };
    for (let i = 0; i < 5; i++) await Promise.all([once(true), once(false)]);
    const told: number[] = [];
    const proceed: Record<'slack' | 'update', number[]> = { slack: [], update: [] };
    for (let i = 0; i < RUNS; i++) {
      const u = await once(false);
      const c = await once(true);
      told.push(u.toldMs, c.toldMs);
      proceed.update.push(u.proceedMs);
      proceed.slack.push(c.proceedMs);
    }
    console.log(`notify: ${RUNS * 2} runs waiting for approval, one Slack channel (local stand-in)`);
    console.log(`  wait started → request in Slack   median ${fmt(median(told), 1)} ms, p99 ${fmt(percentile(told, 99), 1)} ms`);
    console.log(`  update sent → run ended (baseline) median ${fmt(median(proceed.update), 1)} ms, p99 ${fmt(percentile(proceed.update, 99), 1)} ms`);
    console.log(`  Slack click → run ended            median ${fmt(median(proceed.slack), 1)} ms, p99 ${fmt(percentile(proceed.slack, 99), 1)} ms`);
    const ratio = median(proceed.slack) / median(proceed.update);
    console.log(`  ratio click/update (median): ${fmt(ratio, 2)} (target ≤ 2)`);
    if (ratio > 2) process.exitCode = 1;
  });
  await receiver.close();
  await env.teardown();
  await slack.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
