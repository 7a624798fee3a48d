// The request a run posts to Slack, rendered from the very Block Kit JSON it sent (a local Slack
// stand-in receives it) and read in headless Chromium: what an on-call engineer sees. With
// UPDATE_SCREENSHOTS=1 it refreshes docs/images/slack-request.png for the operator's guide.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { startRun } from '../../temporal/start-run';
import { blockKitHtml } from '../helpers/block-kit';
import { launchChromium } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startFakeSlack } from '../helpers/fake-slack';
import { pendingApproval } from '../helpers/pending';
import { keyDir } from '../helpers/ssh-keys';
import { closeTestClient, compile, testClient, withWorker } from '../helpers/temporal';

afterAll(closeTestClient);

it('shows the run, the alert, the plan, the deadline, the link, the command and the buttons', async () => {
  const slack = await startFakeSlack();
  const saved = { ...process.env };
  Object.assign(process.env, { SLACK_API_URL: `${slack.url}/api`, E2E_SLACK_TOKEN: 'xoxb-test' });
  const people = path.join(keyDir(), 'people.yaml');
  writeFileSync(
    people,
    stringify({
      groups: { oncall: ['alice', 'bob'] },
      people: { alice: { slack: 'U012ALICE' }, bob: { slack: 'U034BOB' } },
      channels: { oncall: { slack: { token: { env: 'E2E_SLACK_TOKEN' }, channel: 'C0ONCALL' } } },
      notify: { default: ['oncall'] },
    }),
  );
  const browser = await launchChromium();
  try {
    const blocks = await withWorker(
      async (s) => {
        const runbook = compile(`
name: high-error-rate
description: Roll back a deploy that broke the 5xx SLO.
steps:
  - id: approve_rollback
    description: On-call approves the rollback
    approve: { approvers: [group:oncall], timeout: 15m, onTimeout: page }
  - id: rollback
    uses: test.probe
    with: { name: slack-rollback, value: 'kubectl rollout undo deployment/checkout -n prod' }
    next: succeed
  - id: page
    uses: test.probe
    with: { name: slack-page, value: 'page' }
`);
        const handle = await startRun(await testClient(), s.taskQueue, {
          runbook,
          inputs: {},
          startedBy: 'alertmanager',
          workflowId: `high-error-rate-checkout-${Date.now()}`,
          alert: {
            source: 'alertmanager',
            name: 'HighErrorRate',
            status: 'firing',
            fingerprint: 'f1',
            labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'page' },
            annotations: { summary: 'checkout 5xx ratio 4.2% over 5m (SLO 1%)' },
            startsAt: new Date().toISOString(),
          },
        });
        await pendingApproval(handle);
        const posted = await eventually(async () => slack.posts.find((p) => p.text.includes(handle.workflowId)), 'the request in Slack');
        await handle.terminate();
        return posted.blocks!;
      },
      { people: { file: people } },
    );
    const page = await browser.newPage({ viewport: { width: 800, height: 700 } });
    await page.setContent(blockKitHtml(blocks));
    const text = await page.locator('body').innerText();
    expect(text).toContain('high-error-rate waits for approval of rollback (step approve_rollback)');
    expect(text).toContain('For @U012ALICE @U034BOB');
    expect(text).toContain('Alert (firing): HighErrorRate — checkout 5xx ratio 4.2% over 5m (SLO 1%)');
    expect(text).toContain('kubectl rollout undo deployment/checkout -n prod');
    expect(text).toContain('then the run goes to page');
    expect(text).toContain('Open the run in the Temporal Web UI');
    expect(text).toContain('runbook approve high-error-rate-checkout-');
    expect(await page.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Reject' }).isVisible()).toBe(true);
    if (process.env.UPDATE_SCREENSHOTS)
      await page.screenshot({ path: path.join(__dirname, '..', '..', 'docs', 'images', 'slack-request.png'), fullPage: true });
  } finally {
    await browser.close();
    process.env = saved;
    await slack.close();
  }
});
