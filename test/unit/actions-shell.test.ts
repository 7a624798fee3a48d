// `shell`: argv only, bounded output, minimal environment, timeouts and cancellation.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import shell from '../../activities/actions/shell';
import { actionContext } from '../helpers/action-context';
import { eventually } from '../helpers/eventually';

const run = (input: Parameters<typeof shell.run>[0], ctx = actionContext()) => shell.run(input, ctx);

it('passes values as arguments, never through a shell', async () => {
  const result = await run({ command: ['echo', '$(whoami); ls && ${{ secrets.x }} `id`'] });
  expect(result.stdout).toBe('$(whoami); ls && ${{ secrets.x }} `id`\n');
  expect(result).toMatchObject({ exitCode: 0, stderr: '', truncated: false });
});

it('captures the exit code, and fails on one that is not listed as ok', async () => {
  expect((await run({ command: ['sh', '-c', 'exit 1'], okExitCodes: [0, 1] })).exitCode).toBe(1);
  const err = await run({ command: ['sh', '-c', 'echo partial; echo "no such pod" >&2; exit 3'] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({
    type: 'CommandFailed',
    message: '`sh -c "echo partial; echo \\"no such pod\\" >&2; exit 3"` exited with 3: no such pod',
    nonRetryable: false,
  });
  expect((err as ApplicationFailure).details?.[0]).toMatchObject({ exitCode: 3, stdout: 'partial\n' });
});

it('keeps the head and tail of long output with a marker saying how much was cut', async () => {
  const result = await run({ command: ['sh', '-c', 'echo START; head -c 200000 /dev/zero | tr "\\0" x; echo; echo END'], maxOutputBytes: 1024 });
  expect(result.truncated).toBe(true);
  expect(result.stdout.startsWith('START\nxxx')).toBe(true);
  expect(result.stdout.endsWith('xxx\nEND\n')).toBe(true);
  expect(result.stdout).toMatch(/\n…\[198\d{3} bytes truncated\]…\n/);
  expect(Buffer.byteLength(result.stdout)).toBeLessThan(1024 + 64);
});

it('gives commands a minimal environment plus what the step sets', async () => {
  process.env.WORKER_ONLY_SECRET = 'do-not-leak';
  try {
    const result = await run({ command: ['sh', '-c', 'echo "$PATH|$WORKER_ONLY_SECRET|$EXTRA"'], env: { EXTRA: 'given' } });
    expect(result.stdout).toBe(`${process.env.PATH}||given\n`);
  } finally {
    delete process.env.WORKER_ONLY_SECRET;
  }
});

it('runs in cwd, feeds stdin, and parses JSON output', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shell-'));
  expect((await run({ command: ['pwd'], cwd: dir })).stdout.trim()).toBe(dir);
  expect((await run({ command: ['wc', '-l'], stdin: 'a\nb\nc\n' })).stdout.trim()).toBe('3');
  expect((await run({ command: ['echo', '{"items":[1,2]}'], parseJson: true })).json).toEqual({ items: [1, 2] });
  await expect(run({ command: ['echo', 'not json'], parseJson: true })).rejects.toMatchObject({ type: 'BadJson', nonRetryable: true });
});

it('kills a command that outlives its timeout', async () => {
  const started = Date.now();
  await expect(run({ command: ['sleep', '30'], timeout: '300ms' })).rejects.toMatchObject({
    type: 'CommandTimedOut',
    message: '`sleep 30` ran longer than 300ms and was killed',
  });
  expect(Date.now() - started).toBeLessThan(5_000);
});

it('kills the whole process group when cancelled and reports a cancellation', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shell-cancel-'));
  const pidFile = path.join(dir, 'pid');
  const ctx = actionContext();
  const running = run({ command: ['sh', '-c', 'sleep 60 & echo $! > "$1"; wait', 'sh', pidFile] }, ctx);
  await eventually(() => readFileIfAny(pidFile), 'the command to start', 20_000, 20);
  ctx.abort();
  await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  const grandchild = Number(readFileIfAny(pidFile));
  await new Promise((r) => setTimeout(r, 100));
  expect(processState(grandchild)).not.toBe('running');
});

describe('a step ends when its program exits (H2)', () => {
  it('kills what the program left running in the background, and returns at once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shell-bg-'));
    const marker = path.join(dir, 'M');
    const started = Date.now();
    // The background job holds stdout open; waiting for the pipe would wait for it.
    const result = await run({ command: ['sh', '-c', '(sleep 3; touch "$1") & echo $!', 'sh', marker] });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.exitCode).toBe(0);
    const background = Number(result.stdout.trim());
    await eventually(() => processState(background) !== 'running', 'the background job to be killed', 3_000, 20);
    await new Promise((r) => setTimeout(r, Math.max(0, started + 3_500 - Date.now())));
    expect(existsSync(marker)).toBe(false);
  });

  it('times out a program that waits on its background job, killing the whole group', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shell-bg-'));
    const marker = path.join(dir, 'M');
    const started = Date.now();
    await expect(run({ command: ['sh', '-c', 'sleep 30 & wait; touch "$1"', 'sh', marker], timeout: '300ms' })).rejects.toMatchObject({
      type: 'CommandTimedOut',
    });
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(existsSync(marker)).toBe(false);
  });

  it('clamps a timeout longer than Node timers can hold instead of firing at once (L3)', async () => {
    const result = await run({ command: ['sh', '-c', 'sleep 0.2; echo done'], timeout: '30d' });
    expect(result.stdout).toBe('done\n');
  });
});

it('says plainly when the program does not exist', async () => {
  await expect(run({ command: ['no-such-program-xyz'] })).rejects.toMatchObject({
    type: 'CommandNotFound',
    message: 'command not found: no-such-program-xyz',
    nonRetryable: true,
  });
});

function readFileIfAny(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function processState(pid: number): 'running' | 'zombie' | 'gone' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z' ? 'zombie' : 'running';
  } catch {
    return 'gone';
  }
}
