// C1: the worker runs only what it admits. Each test plays an attacker (or an author) who can
// start workflows on the task queue, and checks the refusal, or what still works.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { Admission } from '../../activities/admission/admission';
import type { ActionStep } from '../../dsl/kinds/action';
import type { CompiledRunbook } from '../../dsl/compiled';
import { RUNBOOK_WORKFLOW_TYPE, startRun } from '../../temporal/start-run';
import { REMEDIATION_STATUS, RUNBOOK_HASH, RUNBOOK_NAME } from '../../contract/search-attributes';
import { eventually } from '../helpers/eventually';
import { historyOf } from '../helpers/history';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, compileUnadmitted, settings, testClient, withWorker } from '../helpers/temporal';
import { exited, startWorkerProcess } from '../helpers/worker-process';

afterAll(closeTestClient);

const tmp = mkdtempSync(path.join(tmpdir(), 'admission-'));

const writer = (marker: string) => `
name: writer
steps:
  - id: write
    uses: shell
    with: { command: [touch, '${marker}'] }
`;

async function failureOf(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { type: (err.cause as { type?: string }).type, message: err.cause?.message ?? '' };
    throw err;
  }
  throw new Error('the run succeeded');
}

const activityTypes = async (workflowId: string) =>
  (await historyOf(workflowId)).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));

it('refuses a definition the worker does not serve, before any activity runs', async () => {
  const marker = path.join(tmp, 'should-not-exist');
  const runbook = compileUnadmitted(writer(marker));
  await withWorker(async (s) => {
    const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'mallory' });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('NotAdmitted');
    expect(failure.message).toMatch(/^not admitted: runbook `writer` \([0-9a-f]{12}\) is not one this worker serves/);
    expect(await activityTypes(handle.workflowId)).toEqual([]);
    const attributes = (await handle.describe()).typedSearchAttributes;
    expect(attributes.get(REMEDIATION_STATUS)).toBe('not-admitted');
  });
  expect(existsSync(marker)).toBe(false);
});

it('recomputes the hash: an admitted definition changed after compilation is refused', async () => {
  const marker = path.join(tmp, 'tampered');
  const admitted = compile(writer(path.join(tmp, 'harmless')));
  const tampered: CompiledRunbook = structuredClone(admitted);
  (tampered.steps.write as ActionStep).with.command = ['touch', marker];
  await withWorker(async (s) => {
    const handle = await startRun(await testClient(), s.taskQueue, { runbook: tampered, inputs: {}, startedBy: 'mallory' });
    const failure = await failureOf(handle.result());
    expect(failure.message).toMatch(
      /^not admitted: the definition of runbook `writer` does not match its hash \(it says [0-9a-f]{12}, its content is [0-9a-f]{12}\)/,
    );
    const attributes = (await handle.describe()).typedSearchAttributes;
    expect(attributes.get(RUNBOOK_HASH)).not.toBe(admitted.hash);
  });
  expect(existsSync(marker)).toBe(false);
});

it('does not let a secret file path or a `file` key escape the hash', async () => {
  const admitted = compile(`
name: reads-a-secret
secrets:
  token: { file: /run/secrets/token }
steps:
  - id: call
    uses: test.probe
    with: { name: file-key, value: { file: harmless } }
`);
  const moved: CompiledRunbook = structuredClone(admitted);
  moved.secrets.token = { file: '/etc/shadow' };
  const relabelled: CompiledRunbook = structuredClone(admitted);
  ((relabelled.steps.call as ActionStep).with.value as { file: string }).file = 'changed';
  await withWorker(async (s) => {
    for (const runbook of [moved, relabelled]) {
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'mallory' });
      expect((await failureOf(handle.result())).message).toMatch(/does not match its hash/);
    }
  });
  expect(callsOf('file-key')).toHaveLength(0);
});

it('corrects search attributes that misname an admitted runbook', async () => {
  const runbook = compile('name: honest\nsteps:\n  - id: a\n    uses: test.probe\n    with: { name: honest }\n');
  await withWorker(async (s) => {
    const client = await testClient();
    const handle = await client.workflow.start(RUNBOOK_WORKFLOW_TYPE, {
      taskQueue: s.taskQueue,
      workflowId: `posing-${Date.now()}`,
      args: [{ runbook, inputs: {}, startedBy: 'mallory' }],
      typedSearchAttributes: [
        { key: RUNBOOK_NAME, value: 'high-error-rate' },
        { key: RUNBOOK_HASH, value: 'f'.repeat(64) },
      ],
    });
    await handle.result();
    const attributes = (await handle.describe()).typedSearchAttributes;
    expect([attributes.get(RUNBOOK_NAME), attributes.get(RUNBOOK_HASH)]).toEqual(['honest', runbook.hash]);
  });
});

it('checks a new run of the previous workflow version too, so nothing bypasses admission', async () => {
  const marker = path.join(tmp, 'legacy-type');
  const runbook = compileUnadmitted(writer(marker));
  await withWorker(async (s) => {
    const handle = await (
      await testClient()
    ).workflow.start('runbookWorkflow', { taskQueue: s.taskQueue, workflowId: `legacy-${Date.now()}`, args: [{ runbook, inputs: {}, startedBy: 'mallory' }] });
    expect((await failureOf(handle.result())).type).toBe('NotAdmitted');
  });
  expect(existsSync(marker)).toBe(false);
});

it('admits the children of a served runbook, and re-checks each child run', async () => {
  const child = 'name: little\nsteps:\n  - id: work\n    uses: test.probe\n    with: { name: admitted-child }\n';
  const parent = compileUnadmitted('name: big\nsteps:\n  - id: call\n    runbook: little\n', { little: child });
  const served = new Admission();
  served.serve([parent]);
  await withWorker(
    async (s) => {
      const outcome = await startRun(await testClient(), s.taskQueue, { runbook: parent, inputs: {}, startedBy: 'test' });
      await outcome.result();
      // The child alone is admitted too (it was compiled with its parent)...
      const alone = await startRun(await testClient(), s.taskQueue, { runbook: parent.children.little!, inputs: {}, startedBy: 'test' });
      await alone.result();
      // ...but a parent whose embedded child was swapped is not: the child is part of its hash.
      const swapped: CompiledRunbook = structuredClone(parent);
      (swapped.children.little!.steps.work as ActionStep).with.name = 'swapped-child';
      const handle = await startRun(await testClient(), s.taskQueue, { runbook: swapped, inputs: {}, startedBy: 'mallory' });
      expect((await failureOf(handle.result())).message).toMatch(/does not match its hash/);
    },
    { admission: served },
  );
  expect(callsOf('admitted-child')).toHaveLength(2);
  expect(callsOf('swapped-child')).toHaveLength(0);
});

it('checks again on continue-as-new: a version retired past its grace cannot continue', async () => {
  const runbook = compileUnadmitted(`
name: long-poll
steps:
  - id: waiting
    uses: test.probe
    with: { name: retire-poll }
    until: \${{ result.calls >= 30 }}
    every: 100ms
    maxPolls: 40
`);
  const admission = new Admission({ graceMs: 0 });
  admission.serve([runbook]);
  await withWorker(
    async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'test', options: { continueAsNewAfterEvents: 30 } });
      await eventually(() => callsOf('retire-poll').length >= 2, 'the first polls');
      admission.serve([]);
      const failure = await failureOf(handle.result());
      expect(failure.message).toMatch(/^not admitted: version [0-9a-f]{12} of runbook `long-poll` was replaced/);
      expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
    },
    { admission },
  );
  expect(callsOf('retire-poll').length).toBeLessThan(30);
});

it('keeps a replaced version runnable for runs in flight, within the grace period', async () => {
  const v1 = compileUnadmitted('name: evolving\nsteps:\n  - id: a\n    uses: test.probe\n    with: { name: evolving-v1 }\n');
  const v2 = compileUnadmitted('name: evolving\nsteps:\n  - id: a\n    uses: test.probe\n    with: { name: evolving-v2 }\n');
  const admission = new Admission();
  admission.serve([v1]);
  admission.serve([v2]);
  await withWorker(
    async (s) => {
      await (await startRun(await testClient(), s.taskQueue, { runbook: v1, inputs: {}, startedBy: 'test' })).result();
      await (await startRun(await testClient(), s.taskQueue, { runbook: v2, inputs: {}, startedBy: 'test' })).result();
    },
    { admission },
  );
  expect([callsOf('evolving-v1').length, callsOf('evolving-v2').length]).toEqual([1, 1]);
});

describe('the worker process', () => {
  const text = (name: string, probe: string) =>
    `name: ${name}\nsteps:\n  - id: a\n    uses: shell\n    with: { command: [touch, '${path.join(tmp, probe)}'] }\n`;

  it('serves its folders, reloads when a file is added, and honours development mode', async () => {
    const s = settings();
    const dir = mkdtempSync(path.join(tmpdir(), 'served-'));
    writeFileSync(path.join(dir, 'first.yaml'), text('first', 'first-ran'));
    const worker = await startWorkerProcess(s, { RUNBOOK_DIR: dir });
    const client = await testClient();
    try {
      await (await startRun(client, s.taskQueue, { runbook: compileUnadmitted(text('first', 'first-ran')), inputs: {}, startedBy: 'test' })).result();
      const later = compileUnadmitted(text('later', 'later-ran'));
      const early = await startRun(client, s.taskQueue, { runbook: later, inputs: {}, startedBy: 'test' });
      expect((await failureOf(early.result())).type).toBe('NotAdmitted');
      writeFileSync(path.join(dir, 'later.yaml'), text('later', 'later-ran'));
      await eventually(
        async () => {
          const handle = await startRun(client, s.taskQueue, { runbook: later, inputs: {}, startedBy: 'test' });
          return handle.result().then(
            () => true,
            () => false,
          );
        },
        'the worker to reload and admit the new file',
        15_000,
        500,
      );
      expect(existsSync(path.join(tmp, 'later-ran'))).toBe(true);
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }

    const dev = await startWorkerProcess(s, { RUNBOOK_DIR: dir, RUNBOOK_DEV_ADMIT_ANY: '1' });
    try {
      const stray = compileUnadmitted(text('stray', 'stray-ran'));
      await (await startRun(client, s.taskQueue, { runbook: stray, inputs: {}, startedBy: 'test' })).result();
      expect(existsSync(path.join(tmp, 'stray-ran'))).toBe(true);
      // Development mode admits unknown definitions, never altered ones.
      const altered: CompiledRunbook = structuredClone(stray);
      (altered.steps.a as ActionStep).with.command = ['touch', path.join(tmp, 'altered-ran')];
      const handle = await startRun(client, s.taskQueue, { runbook: altered, inputs: {}, startedBy: 'mallory' });
      expect((await failureOf(handle.result())).message).toMatch(/does not match its hash/);
      expect(existsSync(path.join(tmp, 'altered-ran'))).toBe(false);
    } finally {
      dev.kill('SIGTERM');
      await exited(dev);
    }
  });
});
