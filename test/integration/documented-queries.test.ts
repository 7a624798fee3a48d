// Every visibility query the README and docs/ show, run against a dev server: each finds exactly
// the runs it says it finds. A query added to the docs without a case here fails the first test.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { pauseFleet, resumeFleet } from '../../cli/guards';
import type { Alert } from '../../dsl/alert';
import { startRun } from '../../temporal/start-run';
import { eventually } from '../helpers/eventually';
import { pendingApproval, statusWhen } from '../helpers/pending';
import { closeTestClient, compile, compileUnadmitted, settings, startWorker, testClient } from '../helpers/temporal';

const ROOT = path.join(__dirname, '..', '..');
const ATTRIBUTE = /\b(RemediationStatus|ExecutionStatus|RunbookName|RunbookHash|AlertFingerprint|Service)\s*(=|IN\b)\s*["(]/;

/** Every code span of the README and docs/*.md that is a visibility query, spaces around `=` normalised. */
function documentedQueries(): string[] {
  const files = [
    'README.md',
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => path.join('docs', f)),
  ];
  const spans = files.flatMap((f) => [...readFileSync(path.join(ROOT, f), 'utf8').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!));
  return [...new Set(spans.filter((s) => ATTRIBUTE.test(s)).map(normalise))].sort();
}

const normalise = (query: string) => query.replace(/\s*=\s*/g, '=').trim();

const ALERT: Alert = {
  source: 'alertmanager',
  status: 'firing',
  fingerprint: '7d3c1a2b9e0f4c55',
  name: 'HighErrorRate',
  labels: { service: 'checkout' },
  annotations: {},
};

const failing = (name: string) => `
name: ${name}
steps:
  - id: probe
    uses: test.probe
    retry: { maxAttempts: 1 }
    with: { name: docs-queries-fail, alwaysFail: true }
`;
const waiting = `
name: high-error-rate
steps:
  - id: approve_restart
    approve: { approvers: [alice], timeout: 1h }
  - id: restart
    uses: test.probe
    with: { name: docs-queries-restart }
`;
const writing = `
name: writer
steps:
  - id: restart
    uses: shell
    guard: { key: docs-queries, limit: 1 }
    with: { command: ['true'] }
`;

/** The runs each documented query must find, by role (`smokeFailed` is one that the smoke-check query must not find). */
type Role = 'smokeFailed' | 'smokeSucceeded' | 'errorRateFailed' | 'waiting' | 'cancelled' | 'paused' | 'refused';
const EXPECTED: Record<string, Role[]> = {
  'RunbookName="smoke-check" AND RemediationStatus="succeeded"': ['smokeSucceeded'],
  'RunbookName="high-error-rate" AND RemediationStatus="failed"': ['errorRateFailed'],
  'RunbookName="high-error-rate" AND ExecutionStatus="Failed"': ['errorRateFailed'],
  'ExecutionStatus="Running" AND RemediationStatus="awaiting-approval"': ['waiting'],
  'RemediationStatus="cancelled"': ['cancelled'],
  'RemediationStatus="paused"': ['paused'],
  'RemediationStatus="not-admitted"': ['refused'],
  'AlertFingerprint="7d3c1a2b9e0f4c55"': ['errorRateFailed', 'waiting'],
};

const s = settings();
const ids = {} as Record<Role, string>;
const open: WorkflowHandle[] = [];
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  stopWorker = await startWorker(s);
  const client = await testClient();
  const start = (yaml: string, alert?: Alert, admitted = true) =>
    startRun(client, s.taskQueue, { runbook: admitted ? compile(yaml) : compileUnadmitted(yaml), inputs: {}, startedBy: 'docs', ...(alert && { alert }) });
  const ended = (h: WorkflowHandle) => h.result().catch(() => undefined);

  const smokeFailed = await start(failing('smoke-check'));
  const smokeSucceeded = await start('name: smoke-check\nsteps:\n  - id: probe\n    uses: test.probe\n    with: { name: docs-queries-ok }\n');
  const errorRateFailed = await start(failing('high-error-rate'), ALERT);
  // Not the definition above, which the test worker serves.
  const refused = await start(failing('never-served'), undefined, false);
  const waitingRun = await start(waiting, ALERT);
  const cancelled = await start(waiting);
  await Promise.all([smokeFailed, smokeSucceeded, errorRateFailed, refused].map(ended));
  await pendingApproval(waitingRun);
  await pendingApproval(cancelled);
  await cancelled.cancel();
  await ended(cancelled);
  await pauseFleet(client, s.taskQueue, {}, 'docs', 'documented queries');
  const paused = await start(writing);
  await statusWhen(paused, (st) => st.status === 'paused', 'the write to park on the pause');
  open.push(waitingRun, paused);
  Object.assign(ids, {
    smokeFailed: smokeFailed.workflowId,
    smokeSucceeded: smokeSucceeded.workflowId,
    errorRateFailed: errorRateFailed.workflowId,
    refused: refused.workflowId,
    waiting: waitingRun.workflowId,
    cancelled: cancelled.workflowId,
    paused: paused.workflowId,
  });
});

afterAll(async () => {
  const client = await testClient();
  await resumeFleet(client, s.taskQueue, {}, 'docs');
  await Promise.all(open.map((h) => h.terminate('documented queries test done').catch(() => undefined)));
  await stopWorker();
  await closeTestClient();
});

it('has a case for every query the docs show, and shows every case', () => {
  expect(documentedQueries()).toEqual(Object.keys(EXPECTED).sort());
});

it.each(Object.keys(EXPECTED))('%s finds what the docs say', async (query) => {
  const client = await testClient();
  const want = EXPECTED[query]!.map((role) => ids[role]).sort();
  const found = async () => {
    const got: string[] = [];
    for await (const w of client.workflow.list({ query: `(${query}) AND TaskQueue="${s.taskQueue}"` })) got.push(w.workflowId);
    return got.sort();
  };
  // Visibility is eventually consistent: wait for the expected set, then compare (for a clear diff).
  await eventually(async () => JSON.stringify(await found()) === JSON.stringify(want), `${query} to find ${want.join(', ')}`).catch(() => undefined);
  expect(await found()).toEqual(want);
});
