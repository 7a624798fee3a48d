// Running a program: argv only (no shell), a minimal inherited environment, bounded output
// (head and tail kept), a timeout, and cancellation that kills the whole process group. A step
// ends when its program exits: whatever it left running in its process group is killed then,
// so a background job can neither outlive its step nor keep it (and a worker slot) open.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { formatDuration, timerMs } from '../dsl/durations';
import type { ActionContext } from './action';
import { truncateText, truncationMarker, type Truncated } from './truncate';

/** Variables that make a program (or a shell, loader or runtime it starts) run other code: never set by a step. */
export const DANGEROUS_ENV =
  /^(LD_.*|DYLD_.*|BASH_ENV|ENV|BASHOPTS|SHELLOPTS|PS4|PROMPT_COMMAND|IFS|NODE_OPTIONS|NODE_PATH|PYTHONSTARTUP|PYTHONPATH|PYTHONINSPECT|PERL5OPT|PERL5LIB|PERLLIB|RUBYOPT|RUBYLIB|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|GIT_SSH_COMMAND|GIT_EXEC_PATH|GCONV_PATH)$/;

/** Variables a command gets from the worker. Everything else (API keys!) stays out unless `env` names it. */
const INHERITED_ENV = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'KUBECONFIG', 'SSL_CERT_FILE', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'];
const KILL_GRACE_MS = 5_000;
/** After the program exits, how long its output pipes may take to drain before they are closed. */
const DRAIN_MS = 1_000;
const MAX_JSON_BYTES = 4 * 1_048_576;

export interface ProcessSpec {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  okExitCodes?: number[];
  parseJson?: boolean;
  maxOutputBytes?: number;
}

/** Outputs of a process run, shared by the actions that run one. */
export const processOutputProperties = {
  exitCode: Type.Integer(),
  stdout: Type.String(),
  stderr: Type.String(),
  json: Type.Optional(Type.Unknown()),
  truncated: Type.Boolean(),
  durationMs: Type.Integer(),
};

export type ProcessResult = Static<TObject<typeof processOutputProperties>>;

export async function runProcess(spec: ProcessSpec, ctx: ActionContext): Promise<ProcessResult> {
  const started = Date.now();
  const maxBytes = spec.maxOutputBytes ?? 16_384;
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  const dangerous = Object.keys(spec.env ?? {}).filter((name) => DANGEROUS_ENV.test(name));
  if (dangerous.length > 0)
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      message: `\`env\` sets ${dangerous.join(', ')}, which would make the command run other code`,
      nonRetryable: true,
    });
  Object.assign(env, spec.env ?? {});
  const [program, ...args] = spec.argv;
  const child = spawn(program!, args, { cwd: spec.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });

  // Keep memory bounded for chatty commands: remember only a head and a tail of each stream.
  const stdout = new BoundedBuffer(spec.parseJson ? MAX_JSON_BYTES : maxBytes);
  const stderr = new BoundedBuffer(maxBytes);
  child.stdout.on('data', (b: Buffer) => stdout.push(b));
  child.stderr.on('data', (b: Buffer) => stderr.push(b));
  child.stdin.on('error', () => undefined);
  child.stdin.end(spec.stdin ?? '');

  let killedFor: 'cancelled' | 'timeout' | undefined;
  let groupKilled = false;
  const killGroup = () => {
    if (groupKilled || child.pid === undefined) return;
    groupKilled = true;
    signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  const stop = (why: 'cancelled' | 'timeout') => {
    killedFor ??= why;
    killGroup();
  };
  const onAbort = () => stop('cancelled');
  ctx.signal.addEventListener('abort', onAbort);
  const timer = spec.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), timerMs(spec.timeoutMs)) : undefined;
  ctx.heartbeat({ pid: child.pid });

  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
    });
    killGroup();
    await drain(child, DRAIN_MS);
    const command = describeCommand(spec.argv);
    // Reported as a cancellation (not a failure) so that the run sees itself cancelled.
    if (killedFor === 'cancelled') throw new CancelledFailure(`${command} was cancelled; its process group was killed`);
    if (killedFor === 'timeout')
      throw ApplicationFailure.create({ type: 'CommandTimedOut', message: `${command} ran longer than ${formatDuration(spec.timeoutMs!)} and was killed` });
    const out = stdout.truncated(maxBytes);
    const err = stderr.truncated(maxBytes);
    const result = {
      exitCode,
      stdout: out.text,
      stderr: err.text,
      truncated: out.truncated || err.truncated,
      durationMs: Date.now() - started,
      ...(spec.parseJson && { json: parseJson(stdout, command) }),
    };
    if (!(spec.okExitCodes ?? [0]).includes(exitCode)) {
      const tail = err.text.trim().split('\n').slice(-5).join('\n') || out.text.trim().split('\n').slice(-5).join('\n');
      throw ApplicationFailure.create({
        type: 'CommandFailed',
        message: `${command} exited with ${exitCode}${tail ? `: ${tail}` : ''}`,
        details: [result],
      });
    }
    return result;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw ApplicationFailure.create({ type: 'CommandNotFound', message: `command not found: ${program}`, nonRetryable: true });
    }
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** Waits for the output pipes to close, at most `ms`; then closes them ourselves. */
async function drain(child: ChildProcess, ms: number): Promise<void> {
  const closed = (stream: NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean }) =>
    stream.readableEnded || stream.destroyed ? Promise.resolve() : new Promise<void>((resolve) => stream.once('close', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all([closed(child.stdout!), closed(child.stderr!)]), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
  child.stdout!.destroy();
  child.stderr!.destroy();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 0) : 0;
}

function describeCommand(argv: string[]): string {
  const text = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  return `\`${text.length > 120 ? text.slice(0, 117) + '...' : text}\``;
}

function parseJson(buffer: BoundedBuffer, command: string): unknown {
  if (buffer.dropped > 0)
    throw ApplicationFailure.create({
      type: 'OutputTooLarge',
      message: `${command} printed more than ${MAX_JSON_BYTES / 1_048_576} MiB; cannot parse it as JSON`,
      nonRetryable: true,
    });
  try {
    return JSON.parse(buffer.text());
  } catch (err) {
    throw ApplicationFailure.create({ type: 'BadJson', message: `${command} did not print JSON: ${(err as Error).message}`, nonRetryable: true });
  }
}

/** Keeps the first and last `limit / 2` bytes of a stream and counts what it dropped. */
class BoundedBuffer {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const half = Math.floor(this.limit / 2);
    if (this.headBytes < half) {
      const take = chunk.subarray(0, half - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes > half && this.tail.length > 0) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - half;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped > 0 ? `${head}${truncationMarker(`${this.dropped} bytes truncated`)}${tail}` : head + tail;
  }

  /** At most `maxBytes` of the stream (plus the marker), head and tail kept. */
  truncated(maxBytes: number): Truncated {
    return this.dropped > 0 ? { text: this.text(), truncated: true } : truncateText(this.text(), maxBytes);
  }
}
