// `shell`: runs an argv array directly (no shell, so values are never parsed as code),
// captures and truncates its output, heartbeats while it runs, and kills the whole process
// group when the step is cancelled or times out.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ApplicationFailure } from '@temporalio/common';
import { Type } from '@sinclair/typebox';
import { parseDuration } from '../../dsl/durations';
import { DURATION_PATTERN } from '../../dsl/schema';
import { defineAction } from '../action';
import { truncateText, type Truncated } from '../truncate';

/** Variables a command gets from the worker. Everything else (API keys!) stays out unless `env` names it. */
const INHERITED_ENV = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'KUBECONFIG', 'SSL_CERT_FILE', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'];
const KILL_GRACE_MS = 5_000;
const HEARTBEAT_MS = 5_000;
const MAX_JSON_BYTES = 4 * 1_048_576;

export const shellInput = Type.Object(
  {
    command: Type.Array(Type.String(), { minItems: 1, description: 'argv: the program and its arguments. Never run through a shell.' }),
    cwd: Type.Optional(Type.String({ description: 'Working directory.' })),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), { description: 'Extra environment variables.' })),
    stdin: Type.Optional(Type.String({ description: 'Text written to the command’s standard input.' })),
    timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'Kill the command after this long (default: the step timeout).' })),
    okExitCodes: Type.Optional(Type.Array(Type.Integer(), { minItems: 1, description: 'Exit codes that count as success. Default [0].' })),
    parseJson: Type.Optional(Type.Boolean({ description: 'Parse stdout as JSON into `outputs.json`.' })),
    maxOutputBytes: Type.Optional(Type.Integer({ minimum: 256, maximum: 1_048_576, description: 'Keep at most this much of stdout and of stderr (head and tail). Default 16384.' })),
  },
  { additionalProperties: false },
);

export const shellOutput = Type.Object(
  {
    exitCode: Type.Integer(),
    stdout: Type.String(),
    stderr: Type.String(),
    json: Type.Optional(Type.Unknown()),
    truncated: Type.Boolean(),
    durationMs: Type.Integer(),
  },
  { additionalProperties: false },
);

export default defineAction({
  name: 'shell',
  description: 'Run a command (argv array, no shell) and capture its output.',
  input: shellInput,
  output: shellOutput,
  idempotent: false,
  async run(input, ctx) {
    const started = Date.now();
    const maxBytes = input.maxOutputBytes ?? 16_384;
    const limitMs = input.timeout ? parseDuration(input.timeout) : undefined;
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    Object.assign(env, input.env ?? {});
    const [program, ...args] = input.command;
    const child = spawn(program!, args, { cwd: input.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });

    // Keep memory bounded for chatty commands: remember only a head and a tail of each stream.
    const stdout = new BoundedBuffer(input.parseJson ? MAX_JSON_BYTES : maxBytes);
    const stderr = new BoundedBuffer(maxBytes);
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input.stdin ?? '');

    let killedFor: 'cancelled' | 'timeout' | undefined;
    const killGroup = (why: 'cancelled' | 'timeout') => {
      if (killedFor || child.exitCode !== null || child.pid === undefined) return;
      killedFor = why;
      signalGroup(child.pid, 'SIGTERM');
      setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const onAbort = () => killGroup('cancelled');
    ctx.signal.addEventListener('abort', onAbort);
    const timer = limitMs !== undefined ? setTimeout(() => killGroup('timeout'), limitMs) : undefined;
    const beat = setInterval(() => ctx.heartbeat({ pid: child.pid, runningMs: Date.now() - started }), HEARTBEAT_MS);
    ctx.heartbeat({ pid: child.pid });

    try {
      const exitCode = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
      });
      const command = describeCommand(input.command);
      if (killedFor === 'cancelled') throw ApplicationFailure.create({ type: 'CommandCancelled', message: `${command} was cancelled; its process group was killed`, nonRetryable: true });
      if (killedFor === 'timeout') throw ApplicationFailure.create({ type: 'CommandTimedOut', message: `${command} ran longer than ${input.timeout} and was killed` });
      const out = stdout.truncated(maxBytes);
      const err = stderr.truncated(maxBytes);
      const result = {
        exitCode,
        stdout: out.text,
        stderr: err.text,
        truncated: out.truncated || err.truncated,
        durationMs: Date.now() - started,
        ...(input.parseJson && { json: parseJson(stdout, command) }),
      };
      if (!(input.okExitCodes ?? [0]).includes(exitCode)) {
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
      clearInterval(beat);
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  },
});

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
  if (buffer.dropped > 0) throw ApplicationFailure.create({ type: 'OutputTooLarge', message: `${command} printed more than ${MAX_JSON_BYTES / 1_048_576} MiB; cannot parse it as JSON`, nonRetryable: true });
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
    return this.dropped > 0 ? `${head}\n…[${this.dropped} bytes truncated]…\n${tail}` : head + tail;
  }

  /** At most `maxBytes` of the stream (plus the marker), head and tail kept. */
  truncated(maxBytes: number): Truncated {
    return this.dropped > 0 ? { text: this.text(), truncated: true } : truncateText(this.text(), maxBytes);
  }
}
