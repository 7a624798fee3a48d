// End to end in the real Temporal Web UI: an operator approves a waiting step through the UI's
// own "Send a Signal" dialog, and the run proceeds; on a signed step, only the payload
// `runbook sign` printed does. UPDATE_SCREENSHOTS=1 refreshes the
// screenshots in docs/images that the operator's guide shows.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startRun } from '../../temporal/start-run';
import { statusQuery } from '../../contract/messages';
import { launchChromium } from '../helpers/browser';
import { pendingApproval, statusWhen } from '../helpers/pending';
import { runCli } from '../helpers/cli';
import { keyDir, makeKey, writePeopleFile } from '../helpers/ssh-keys';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, testClient, withWorker } from '../helpers/temporal';

const IMAGES = path.join(__dirname, '..', '..', 'docs', 'images');
const ui = () => {
  const url = process.env.RUNBOOK_TEST_UI_URL;
  if (!url) throw new Error('RUNBOOK_TEST_UI_URL is not set: the jest global setup did not start the Web UI');
  return url;
};

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await closeTestClient();
});

async function shot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: path.join(IMAGES, name) });
}

/** More Actions → Send a Signal → pick the signal → paste the JSON → Submit, as an operator does. */
/**
 * `delivered`: resolves once the run shows the signal's effect. The Web UI can keep its Submit
 * spinning when the run completes right after the signal; the run, not the spinner, is the proof.
 */
async function sendSignal(page: Page, name: string, payload: unknown, screenshot?: string, delivered?: Promise<unknown>): Promise<void> {
  await page
    .getByRole('button', { name: /More Actions/ })
    .filter({ visible: true })
    .first()
    .click();
  await page.getByText('Send a Signal', { exact: true }).filter({ visible: true }).first().click();
  const dialog = page.locator('dialog[open]').filter({ visible: true });
  // The dropdown lists the handlers the workflow registered, with their descriptions. A click
  // that lands while the dialog still renders leaves the name empty: check, and pick again.
  const select = dialog.getByTestId('signal-select-button');
  const picked = dialog.getByTestId('signal-select');
  for (let attempt = 1; (await picked.inputValue()) !== name; attempt++) {
    if (attempt > 3) throw new Error(`the signal \`${name}\` could not be picked: the field says ${await picked.inputValue()}`);
    await select.click();
    const option = dialog.getByRole('option', { name: new RegExp(`^${name}\\b`) });
    expect(await option.innerText()).toContain('JSON: {"step"');
    await option.click();
  }
  const editor = dialog.locator('[contenteditable=true]');
  // The dialog keeps the data last sent from this page: replace it, and check that it was replaced
  // (on a loaded machine the select-all could land before the editor had focus, leaving the old
  // JSON in front of the new one, which the dialog then refuses to send).
  for (let attempt = 1; ; attempt++) {
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(JSON.stringify(payload));
    // The editor reformats its JSON when it loses focus; let it settle before submitting. (Clicking
    // the Encoding label to blur it could open the encoding menu over Submit, which then only
    // closed the menu.)
    await editor.evaluate((e) => (e as unknown as { blur(): void }).blur());
    const typed = await editor.innerText();
    if (sameJson(typed, payload)) break;
    if (attempt === 3) throw new Error(`the Data field holds ${typed}, not the payload`);
  }
  if (screenshot) await shot(page, screenshot);
  await dialog.getByRole('button', { name: 'Submit' }).click();
  // The dialog closes once the server took the signal.
  const closed = dialog.waitFor({ state: 'hidden', timeout: 30_000 }).catch(async (err: Error) => {
    throw new Error(`the signal dialog stayed open: ${await dialog.innerText().catch(() => '?')}`, { cause: err });
  });
  await (delivered ? Promise.race([closed, delivered]) : closed);
}

function sameJson(text: string, payload: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(payload);
  } catch {
    return false;
  }
}

it('approves a waiting step through the Web UI Send a Signal dialog', async () => {
  const runbook = compile(`
name: restart-api
description: Restart the API deployment once an on-call engineer approves.
steps:
  - id: approve_restart
    description: On-call approves the restart
    approve: { approvers: [alice, bob], timeout: 10m }
  - id: restart
    description: Restart the deployment
    uses: test.probe
    with: { name: ui-restart, value: 'kubectl rollout restart deployment/api' }
`);
  await withWorker(async (s) => {
    const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe', workflowId: `restart-api-${Date.now()}` });
    const pending = await pendingApproval(handle);
    expect(pending).toBeDefined();

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // A running workflow's page polls for ever, so wait for elements rather than network idle.
    await page.goto(`${ui()}/namespaces/default/workflows/${handle.workflowId}`, { waitUntil: 'domcontentloaded' });
    await page.getByText('approve_restart: wait for approval (10m)').filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'ui-waiting-for-approval.png');

    // The run's User Metadata pane says what it waits for and gives the payload, plan hash filled in.
    await page.getByText('User Metadata', { exact: true }).filter({ visible: true }).first().click();
    // The pane renders its Markdown in a frame of its own.
    const details = page.frameLocator('iframe[src*="planHash"]');
    const payload = details.locator(':is(pre, code)').filter({ hasText: '"planHash"' }).first();
    await payload.waitFor({ timeout: 30_000 });
    // First, in words: what it waits for and which step.
    expect(await details.getByText('Waiting for a person to approve').first().isVisible()).toBe(true);
    expect(await details.getByText('Waiting for approval').first().isVisible()).toBe(true);
    // Tall enough to show the whole pane, payload and commands included.
    await page.setViewportSize({ width: 1400, height: 1900 });
    await shot(page, 'ui-current-details.png');
    await page.setViewportSize({ width: 1400, height: 1000 });
    const template = JSON.parse(await payload.innerText()) as Record<string, unknown>;
    expect(template).toEqual({ step: 'approve_restart', planHash: pending.planHash, by: '<your name>', comment: '<why>' });
    await sendSignal(page, 'approve', { ...template, by: 'alice', comment: 'approved in the Web UI' }, 'ui-send-approve-signal.png');

    const result = await handle.result();
    expect(result.status).toBe('succeeded');
    expect(callsOf('ui-restart')).toHaveLength(1);
    const status = await handle.query(statusQuery);
    expect(status.audit).toEqual([expect.objectContaining({ step: 'approve_restart', action: 'approve', by: 'alice', via: 'signal', outcome: 'accepted' })]);
    await page.getByText('Completed', { exact: false }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'ui-approved-and-completed.png');
    await page.close();
  });
});

it('takes a signed approval pasted from `runbook sign` through the same dialog, and refuses an unsigned one', async () => {
  const dir = keyDir();
  const alice = makeKey(dir, 'alice');
  const people = path.join(dir, 'people.yaml');
  writePeopleFile(people, { alice: { keys: [alice] } });
  const runbook = compile(`
name: restart-api-signed
description: Restart the API once an on-call engineer approves with their SSH key.
steps:
  - id: approve_restart
    description: On-call approves the restart, signed
    approve: { approvers: [alice, bob], signed: true, timeout: 10m }
  - id: restart
    description: Restart the deployment
    uses: test.probe
    with: { name: ui-signed-restart, value: 'kubectl rollout restart deployment/api' }
`);
  await withWorker(
    async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe', workflowId: `restart-api-signed-${Date.now()}` });
      const pending = await pendingApproval(handle);
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${ui()}/namespaces/default/workflows/${handle.workflowId}`, { waitUntil: 'domcontentloaded' });
      await page.getByText('approve_restart: wait for approval (10m)').filter({ visible: true }).first().waitFor({ timeout: 30_000 });

      await sendSignal(page, 'approve', { step: 'approve_restart', planHash: pending.planHash, by: 'alice' });
      const refused = await statusWhen(handle, (st) => st.audit.length === 1, 'the unsigned approval to be recorded');
      expect(refused.audit[0]).toMatchObject({ by: 'alice', via: 'signal', outcome: 'refused', reason: expect.stringContaining('takes signed answers only') });
      expect(refused.status).toBe('awaiting-approval');

      const signed = await runCli(
        ['sign', handle.workflowId, '--step', 'approve_restart', '--approve', '--as', 'alice', '--key', alice.file, '--comment', 'signed in the Web UI'],
        {
          TEMPORAL_ADDRESS: s.connection.address,
        },
      );
      expect(signed.code).toBe(0);
      const ended = handle.result();
      await sendSignal(page, 'approve', JSON.parse(signed.stdout), 'ui-send-signed-approval.png', ended);
      const result = await ended;
      expect(result.status).toBe('succeeded');
      expect(callsOf('ui-signed-restart')).toHaveLength(1);
      const status = await handle.query(statusQuery);
      expect(status.audit[1]).toMatchObject({ by: 'alice', via: 'signal', outcome: 'accepted', signed: { verified: true, fingerprint: alice.fingerprint } });
      await page.close();
    },
    { people: { file: people } },
  );
});
