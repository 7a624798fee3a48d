// Compensation: completed steps that declare `compensate` are undone in reverse order when the
// run fails, or when it is cancelled (which also kills a running command's process group).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { findTemporalBinary } from '../../temporal/binary';
import { startRun } from '../../temporal/start-run';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { eventually } from '../helpers/eventually';
import { historyOf } from '../helpers/history';
import { expectReplays } from '../helpers/replay';
import { callsOf, probeCalls } from '../helpers/test-actions';
import { closeTestClient, compile, runToEnd, serverAddress, testClient, withWorker } from '../helpers/temporal';

afterAll(closeTestClient);

const steps = (tag: string) => `
  - id: scale_up
    uses: test.probe
    with: { name: '${tag}-scale-up', value: 3 }
    compensate:
      description: Scale back down
      uses: test.probe
      with: { name: '${tag}-undo-scale', value: '\${{ steps.scale_up.outputs.value }}' }
  - id: no_undo
    uses: test.probe
    with: { name: '${tag}-plain' }
  - id: drain
    uses: test.probe
    with: { name: '${tag}-drain' }
    compensate:
      uses: test.probe
      with: { name: '${tag}-undo-drain' }
`;

const order = (tag: string) => probeCalls.filter((c) => c.name.startsWith(`${tag}-`)).map((c) => c.name.slice(tag.length + 1));

it('undoes completed steps in reverse order when a later step fails', async () => {
  const runbook = compile(`
name: compensate-on-failure
steps:${steps('cf')}
  - id: breaks
    uses: test.probe
    retry: { maxAttempts: 1 }
    with: { name: cf-breaks, alwaysFail: true }
`);
  const outcome = await withWorker((s) => runToEnd(s, { runbook, inputs: {} }));
  expect(outcome).toMatchObject({
    ok: false,
    reason:
      'step `breaks` failed: test.probe failed: probe cf-breaks failed on attempt 1 (test.yaml:21:5); compensated: drain (succeeded), scale_up (succeeded)',
  });
  expect(order('cf')).toEqual(['scale-up', 'plain', 'drain', 'breaks', 'undo-drain', 'undo-scale']);
  await expectReplays((await testClient()).workflow.getHandle(outcome.workflowId), 'compensate-on-failure');
});

it('keeps undoing when one undo fails, and says so', async () => {
  const runbook = compile(`
name: compensate-partial
steps:
  - id: first
    uses: test.probe
    with: { name: cp-first }
    compensate:
      uses: test.probe
      with: { name: cp-undo-first }
  - id: second
    uses: test.probe
    with: { name: cp-second }
    compensate:
      uses: test.probe
      retry: { maxAttempts: 1 }
      with: { name: cp-undo-second, alwaysFail: true }
  - id: breaks
    uses: test.probe
    retry: { maxAttempts: 1 }
    with: { name: cp-breaks, alwaysFail: true }
`);
  const outcome = await withWorker((s) => runToEnd(s, { runbook, inputs: {} }));
  expect(outcome.ok === false && outcome.reason).toMatch(/; compensated: second \(failed\), first \(succeeded\)$/);
  expect(callsOf('cp-undo-first')).toHaveLength(1);
});

it('kills the running command and undoes completed steps when the run is cancelled', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cancel-'));
  const pidFile = path.join(dir, 'pid');
  const runbook = compile(`
name: compensate-on-cancel
inputs:
  pid_file: { type: string }
steps:${steps('cc')}
  - id: long_command
    uses: shell
    with: { command: [sh, -c, 'sleep 120 & echo $! > "$1"; wait', sh, '\${{ inputs.pid_file }}'] }
`);
  await withWorker(async (s) => {
    const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: { pid_file: pidFile }, startedBy: 'test' });
    const sleeper = Number(await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(), 'the command to start'));
    expect(alive(sleeper)).toBe(true);
    // Cancel the way an operator would, with the Temporal CLI.
    await promisify(execFile)(findTemporalBinary(), ['workflow', 'cancel', '--address', serverAddress(), '--workflow-id', handle.workflowId]);
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    // The whole process group is gone, the grandchild `sleep` included.
    expect(alive(sleeper)).toBe(false);
    expect(order('cc')).toEqual(['scale-up', 'plain', 'drain', 'undo-drain', 'undo-scale']);
    const undo = probeCalls.find((c) => c.name === 'cc-undo-scale');
    expect(undo).toBeDefined();
    await expectReplays(handle, 'compensate-on-cancel');
  });
});

/** Running, as opposed to gone or a zombie that nobody has reaped yet (PID 1 in a container may be slow to). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('`compensate.when: attempted`: an attempt that failed or was cancelled may have changed something', () => {
  const writes = (tag: string, command: string, when: 'attempted' | 'completed') => `
name: undo-${when}
steps:
  - id: before
    uses: test.probe
    with: { name: '${tag}-before', value: 4 }
  - id: scale
    uses: shell
    with: { command: [sh, -c, '${command}'] }
    compensate:
      when: ${when}
      uses: test.probe
      with: { name: '${tag}-undo', value: { replicas: '\${{ steps.before.outputs.value }}', why: '\${{ steps.scale.error }}' } }
`;

  it('undoes a step that failed, with the value read before it and the step error in scope', async () => {
    const outcome = await withWorker((s) => runToEnd(s, { runbook: compile(writes('ua', 'echo half-applied >&2; exit 3', 'attempted')), inputs: {} }));
    expect(outcome.ok === false && outcome.reason).toMatch(/^step `scale` failed: .*exited with 3.*; compensated: scale \(succeeded\)$/);
    expect(callsOf('ua-undo')).toHaveLength(1);
    const undo = (await historyOf(outcome.workflowId)).find((e) => e.summary === 'undo scale: test.probe');
    const request = defaultPayloadConverter.fromPayload(undo!.activityTaskScheduledEventAttributes!.input!.payloads![0]! as Payload) as { with: unknown };
    expect(request.with).toEqual({ name: 'ua-undo', value: { replicas: 4, why: expect.stringMatching(/exited with 3: half-applied/) } });
  });

  it('leaves a failed step alone by default (`when: completed`)', async () => {
    const outcome = await withWorker((s) => runToEnd(s, { runbook: compile(writes('uc', 'exit 3', 'completed')), inputs: {} }));
    expect(outcome.ok === false && outcome.reason).not.toContain('compensated');
    expect(callsOf('uc-undo')).toHaveLength(0);
  });

  it('undoes a step whose command was running when the run was cancelled', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'undo-cancel-'));
    const started = path.join(dir, 'started');
    await withWorker(async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, {
        runbook: compile(writes('uk', `touch ${started}; sleep 120`, 'attempted')),
        inputs: {},
        startedBy: 'test',
      });
      await eventually(() => existsSync(started), 'the command to start');
      await handle.cancel();
      await handle.result().catch(() => undefined);
      expect(callsOf('uk-undo')).toHaveLength(1);
      await expectReplays(handle, 'compensate-attempted-on-cancel');
    });
  });
});
