// The README's five-minute tour, as a newcomer runs it: `npm start` (the built `runbook up`),
// the smoke check, the alert fixture, the links the receiver answers with, the dev inbox that
// catches the escalation, and the report. What the README says happens is asserted here.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection, Client } from '@temporalio/client';
import { REMEDIATION_STATUS } from '../../contract/search-attributes';
import { launchChromium } from '../helpers/browser';
import { CLI_MAIN, runCli } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/ports';

const ROOT = path.join(__dirname, '..', '..');
const TOKEN = 'tour-token-on-this-laptop';
const dataDir = mkdtempSync(path.join(tmpdir(), 'tour-'));
let stack: ChildProcess;
let console_ = '';
let ports: { temporal: number; ui: number; receiver: number; inbox: number; metrics: number };
let client: Client;

const env = () => ({
  RUNBOOK_DATA_DIR: dataDir,
  RUNBOOK_TEMPORAL_PORT: String(ports.temporal),
  RUNBOOK_UI_PORT: String(ports.ui),
  RUNBOOK_RECEIVER_PORT: String(ports.receiver),
  RUNBOOK_INBOX_PORT: String(ports.inbox),
  RUNBOOK_METRICS_ADDRESS: `127.0.0.1:${ports.metrics}`,
  RUNBOOK_UI_URL: `http://localhost:${ports.ui}`,
  TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
  ALERTMANAGER_TOKENS: TOKEN,
  // The tour's machine has none of these; a developer's shell might.
  SLACK_WEBHOOK_URL: '',
  PAGERDUTY_ROUTING_KEY: '',
  PAGERDUTY_EVENTS_URL: '',
  ANTHROPIC_API_KEY: '',
  RUNBOOK_DIR: '',
});

beforeAll(async () => {
  ports = { temporal: await freePort(), ui: await freePort(), receiver: await freePort(), inbox: await freePort(), metrics: await freePort() };
  stack = spawn(process.execPath, [CLI_MAIN, 'up'], { cwd: ROOT, env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
  stack.stdout!.on('data', (b: Buffer) => (console_ += b.toString()));
  stack.stderr!.on('data', (b: Buffer) => (console_ += b.toString()));
  await eventually(() => console_.includes('runbook stack is up') || stack.exitCode !== null, 'the stack to come up', 120_000, 200);
  if (!console_.includes('runbook stack is up')) throw new Error(`npm start failed:\n${console_}`);
  client = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${ports.temporal}` }) });
}, 150_000);

afterAll(async () => {
  await client?.connection.close();
  if (stack && stack.exitCode === null) {
    const exited = new Promise((r) => stack.once('exit', r));
    stack.kill('SIGINT');
    await exited;
  }
}, 60_000);

it('says where everything is, the dev inbox included, and only the alert sources it accepts', () => {
  expect(console_).toContain(`Temporal Web UI  http://localhost:${ports.ui}`);
  expect(console_).toContain(`Alert receiver   http://127.0.0.1:${ports.receiver}/alerts/{alertmanager}`);
  expect(console_).toMatch(new RegExp(`Dev inbox +http://127\\.0\\.0\\.1:${ports.inbox} \\(development only`));
});

it('step 2: the smoke check succeeds against the stack', async () => {
  const run = await runCli(['run', 'runbooks/smoke-check.yaml', '--input', `url=http://localhost:${ports.ui}/`], env());
  expect(run.stdout).toMatch(/^succeeded: \{"status":200,"used_percent":\d+\}$/m);
  expect(run.code).toBe(0);
});

it('step 5: the alert starts one run per alert, links that open, and the escalation lands in the dev inbox', async () => {
  const body = readFileSync(path.join(ROOT, 'test', 'fixtures', 'alerts', 'alertmanager-firing.json'), 'utf8');
  const post = () =>
    fetch(`http://127.0.0.1:${ports.receiver}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body,
    }).then(async (r) => ({
      status: r.status,
      json: (await r.json()) as { results: Array<{ runbooks: Array<{ outcome: string; workflowId: string; url: string }> }> },
    }));
  const first = await post();
  expect(first.status).toBe(202);
  const started = first.json.results.flatMap((r) => r.runbooks);
  expect(started.map((r) => r.outcome)).toEqual(['started', 'started']);
  // Ids hold `/` and `@`: the link must carry them encoded, and open the run's page in the Web UI.
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    for (const r of started) {
      expect(r.url).toBe(`http://localhost:${ports.ui}/namespaces/default/workflows/${encodeURIComponent(r.workflowId)}`);
      await page.goto(r.url);
      await page.getByText('runbookV4', { exact: true }).first().waitFor({ timeout: 30_000 });
      expect(await page.getByText(r.workflowId, { exact: true }).first().isVisible()).toBe(true);
    }
  } finally {
    await browser.close();
  }
  const again = await post();
  expect(again.json.results.flatMap((r) => r.runbooks).map((r) => r.outcome)).toEqual(['duplicate', 'duplicate']);

  // Without Prometheus and a cluster the evidence cannot be gathered, so each run escalates: the
  // on-call is told (here: the dev inbox) and the run ends failed, saying so.
  for (const r of started) {
    const failure = await client.workflow
      .getHandle(r.workflowId)
      .result()
      .then(
        () => 'succeeded',
        (err: Error & { cause?: Error }) => err.cause?.message ?? err.message,
      );
    expect(failure).toMatch(/^escalated to the on-call/);
    const child = client.workflow.getHandle(`${r.workflowId}/escalate`);
    await expect(child.result()).resolves.toMatchObject({ status: 'succeeded', outputs: { paged: true } });
    const history = await child.fetchHistory();
    expect(history.events!.filter((e) => e.activityTaskFailedEventAttributes)).toEqual([]);
    await eventually(
      async () => (await client.workflow.getHandle(r.workflowId).describe()).typedSearchAttributes.get(REMEDIATION_STATUS) === 'failed',
      'RemediationStatus failed',
    );
  }
  const inbox = (await (await fetch(`http://127.0.0.1:${ports.inbox}/messages.json`)).json()) as Array<{ path: string; summary: string }>;
  expect(
    inbox
      .filter((m) => m.path === '/slack')
      .map((m) => m.summary)
      .sort(),
  ).toEqual([
    expect.stringMatching(/^:rotating_light: checkout in prod: 5xx ratio above 0.01/),
    expect.stringMatching(/^:rotating_light: payments in prod: 5xx ratio above 0.01/),
  ]);
  expect(
    inbox
      .filter((m) => m.path === '/pagerduty')
      .map((m) => m.summary)
      .sort(),
  ).toEqual([expect.stringMatching(/^trigger: checkout in prod/), expect.stringMatching(/^trigger: payments in prod/)]);
  expect(console_).toContain('📬 dev inbox /slack: :rotating_light: checkout in prod');
  expect(readFileSync(path.join(dataDir, 'dev-inbox.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);

  // Step 6: the report, from history alone.
  const report = await runCli(['report', started[0]!.workflowId], env());
  expect(report.code).toBe(0);
  expect(report.stdout).toContain('| Outcome | **failed: escalated to the on-call** |');
  expect(report.stdout).toMatch(/\| `escalate` \| child \S+\/escalate \| .* \| succeeded \|/);
  expect(report.stdout).toContain('No decide or fill step ran.');
}, 180_000);
