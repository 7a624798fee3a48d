// Every remediation can be replayed and audited from its history: export, replay (and a
// deliberately changed interpreter caught), a report with the decision's reasoning and the
// approver, secrets never in history, payloads encrypted at rest when a key is set.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleWorkflows } from '../../temporal/bundle';
import { replayHistories } from '../../cli/replay';
import { readHistoryFile } from '../../cli/histories';
import { findTemporalBinary } from '../../temporal/binary';
import { startRun } from '../../temporal/start-run';
import { approveUpdate } from '../../contract/messages';
import { runCli } from '../helpers/cli';
import { startFakeAnthropic, toolAnswer, type FakeAnthropic } from '../helpers/fake-anthropic';
import { pendingApproval } from '../helpers/pending';
import { closeTestClient, compile, serverAddress, testClient, withWorker } from '../helpers/temporal';

const dir = mkdtempSync(path.join(tmpdir(), 'audit-'));
let fake: FakeAnthropic;
let workflowId: string;
let taskQueue: string;

const RUNBOOK = `
name: audited
description: Roll back checkout when the model and a human agree.
inputs:
  service: { type: string }
secrets:
  api_token: { env: AUDIT_TEST_TOKEN }
steps:
  - id: look
    description: Gather evidence with a secret
    uses: shell
    with:
      command: [sh, -c, 'echo "token=$TOKEN"; echo "errors=250"']
      env: { TOKEN: '\${{ secrets.api_token }}' }
  - id: diagnose
    decide:
      prompt: 'Errors on \${{ inputs.service }}: roll back?'
      evidence: [look]
      choices:
        rollback: { when: a deploy explains the errors }
        leave: { when: it does not, next: succeed }
  - id: approve_rollback
    approve: { approvers: [alice, bob], timeout: 5m }
  - id: rollback
    description: Undo the deploy
    uses: test.probe
    with: { name: audit-rollback, value: 'undo \${{ inputs.service }}' }
`;
const SECRET = 'sup3r-s3cret-token-value';

beforeAll(async () => {
  process.env.AUDIT_TEST_TOKEN = SECRET;
  fake = await startFakeAnthropic();
  fake.enqueue(
    toolAnswer('choose', { choice: 'rollback', reasoning: 'Deploy 42 at 10:14 lines up with the 5xx spike <script>alert(1)</script>', confidence: 0.93 }),
  );
  const claude = { apiKey: 'test-key', baseURL: fake.url, defaultModel: 'claude-haiku-5-5', requestTimeoutMs: 5_000 };
  await withWorker(
    async (s) => {
      taskQueue = s.taskQueue;
      const handle = await startRun(await testClient(), s.taskQueue, { runbook: compile(RUNBOOK), inputs: { service: 'checkout' }, startedBy: 'pagerduty' });
      workflowId = handle.workflowId;
      const pending = await pendingApproval(handle);
      await handle.executeUpdate(approveUpdate, { args: [{ step: 'approve_rollback', planHash: 'stale'.padEnd(64, '0'), by: 'bob' }] }).catch(() => undefined);
      await handle.executeUpdate(approveUpdate, {
        args: [{ step: 'approve_rollback', planHash: pending.planHash, by: 'alice', comment: 'matches the deploy log' }],
      });
      await handle.result();
    },
    { claude },
  );
});
afterAll(async () => {
  await fake.close();
  await closeTestClient();
});

const env = () => ({ TEMPORAL_ADDRESS: serverAddress(), RUNBOOK_TASK_QUEUE: taskQueue });

it('exports the history in the format of `temporal workflow show --output json`', async () => {
  const file = path.join(dir, 'history.json');
  const exported = await runCli(['history', workflowId, '-o', file], env());
  expect(exported.code).toBe(0);
  const ours = JSON.parse(readFileSync(file, 'utf8')) as { events: Array<{ eventType: string; eventId: string }> };
  const { stdout } = await promisify(execFile)(
    findTemporalBinary(),
    ['workflow', 'show', '--address', serverAddress(), '--workflow-id', workflowId, '--output', 'json'],
    { maxBuffer: 64 << 20 },
  );
  const theirs = JSON.parse(stdout) as { events: Array<{ eventType: string; eventId: string }> };
  expect(ours.events.map((e) => [e.eventId, e.eventType])).toEqual(theirs.events.map((e) => [e.eventId, e.eventType]));
  writeFileSync(path.join(dir, 'cli-history.json'), stdout);
});

it('replays the run from the server, from our export and from the temporal CLI export', async () => {
  for (const args of [
    [workflowId],
    ['--file', path.join(dir, 'history.json'), '--workflow-id', workflowId],
    ['--file', path.join(dir, 'cli-history.json')],
    ['--query', `WorkflowId = "${workflowId}"`],
  ]) {
    const replayed = await runCli(['replay', ...args], env());
    expect([args[0], replayed.code, replayed.stdout.trim().split('\n').at(-1)]).toEqual([args[0], 0, '1 replayed, 0 failed']);
  }
});

it('catches a changed interpreter with a clear message', async () => {
  const changed = await bundleWorkflows(path.join(__dirname, '..', 'replay', 'changed-interpreter.ts'));
  const [outcome] = await replayHistories([readHistoryFile(path.join(dir, 'history.json'), workflowId)], changed);
  expect(outcome).toMatchObject({ workflowId, ok: false });
  expect(outcome!.error).toMatch(/^non-deterministic: /);
  expect(outcome!.error).toMatch(/[Tt]imer/);
});

it('reports the decision with its reasoning and the approver, from history alone', async () => {
  const md = await runCli(['report', workflowId], env());
  expect(md.code).toBe(0);
  const text = md.stdout;
  expect(text).toContain('# Remediation report: audited');
  expect(text).toMatch(/\| Outcome \| \*\*succeeded\*\* \|/);
  expect(text).toMatch(/content hash `[0-9a-f]{64}`/);
  expect(text).toContain('Claude (claude-haiku-5-5) answered **rollback** with confidence 0.93');
  expect(text).toContain('Reasoning: Deploy 42 at 10:14 lines up with the 5xx spike <script>alert(1)</script>');
  expect(text).toMatch(
    /`approve_rollback`: alice approved plan `[0-9a-f]{12}` via update, sent by identity `[^`]+` \(approval 1 of 1 recorded for step `approve_rollback`; approved\); comment: matches the deploy log/,
  );
  expect(text).toMatch(/`approve_rollback`: bob \*\*refused\*\* approve plan `stale0000000` via update.*: stale plan/);
  expect(text).toMatch(/\| `look` \| shell \| .* \| succeeded \|/);
  expect(text).toMatch(/\| `rollback` \| test.probe \| .* \| succeeded \|/);
  // What was approved, not only its hash.
  expect(text).toContain('    "value": "undo checkout"');
  // The decision step made one model call: no "after 2 attempts" from the plumbing around it.
  expect(text).toMatch(/\| `diagnose` \| ask Claude \| .* \| succeeded \|/);

  const file = path.join(dir, 'report.html');
  expect((await runCli(['report', '--file', path.join(dir, 'history.json'), '--workflow-id', workflowId, '--format', 'html', '-o', file])).code).toBe(0);
  const html = readFileSync(file, 'utf8');
  expect(html).toContain('5xx spike &lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).not.toContain('<script>');
  expect(html).toContain('(approval 1 of 1 recorded for step <code>approve_rollback</code>; approved)');
  expect(html).toContain('&quot;value&quot;: &quot;undo checkout&quot;');
  expect(html).toContain('class="bar"');
  expect(html).not.toMatch(/<(link|img)\b|src=/);
});

it('never lets the secret value into history or the report', async () => {
  const history = readFileSync(path.join(dir, 'history.json'), 'utf8');
  const decoded = history.replace(/"data":\s*"([A-Za-z0-9+/=]+)"/g, (_, b64: string) => JSON.stringify(Buffer.from(b64, 'base64').toString('utf8')));
  expect(decoded).toContain('token=⟦secret:api_token⟧');
  expect(decoded).not.toContain(SECRET);
  expect(history).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 16));
  expect((await runCli(['report', workflowId], env())).stdout).not.toContain(SECRET);
});
