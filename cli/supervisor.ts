// Starts child processes in their own process groups and stops them all, newest first, so
// Ctrl-C on `npm start` leaves no orphans (each group gets its stop signal, then SIGKILL after a
// grace). One child can also be stopped or killed on its own (the cluster's restarts and its
// tests' crashes): an exit asked for is never reported as unexpected.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Append output here instead of printing it (the dev server is chatty). */
  logFile?: string;
  /** Resolves once a line of output matches. */
  readyLine?: RegExp;
  /** Resolves once this loopback port accepts connections (for servers that say nothing when ready). */
  readyPort?: number;
  /** What asks it to stop (default SIGTERM; PostgreSQL's fast shutdown is SIGINT). */
  stopSignal?: NodeJS.Signals;
}

interface Child {
  spec: ChildSpec;
  process: ChildProcess;
  exited: Promise<number | null>;
  /** Its exit was asked for. */
  expected: boolean;
}

const STOP_GRACE_MS = 15_000;

export class Supervisor {
  private readonly children: Child[] = [];
  private stopping = false;
  /** Called when a child exits while we are not stopping. */
  onUnexpectedExit: (name: string, code: number | null) => void = () => undefined;

  constructor(private readonly print: (line: string) => void) {}

  async start(spec: ChildSpec, readyTimeoutMs = 60_000): Promise<void> {
    const child = spawn(spec.command, spec.args, { env: spec.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const entry: Child = { spec, process: child, exited, expected: false };
    this.children.push(entry);
    let ready: () => void = () => undefined;
    const readyPromise = new Promise<void>((resolve) => (ready = resolve));
    if (spec.readyPort !== undefined) void portOpen(spec.readyPort, exited).then((open) => open && ready());
    else if (!spec.readyLine) ready();
    const log = spec.logFile ? createWriteStream(spec.logFile, { flags: 'a' }) : undefined;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (log) log.write(line + '\n');
        else this.print(`[${spec.name}] ${line}`);
        if (spec.readyLine?.test(line)) ready();
      });
    }
    void exited.then((code) => {
      log?.end();
      if (!this.stopping && !entry.expected) this.onUnexpectedExit(spec.name, code);
    });
    const outcome = await Promise.race([
      readyPromise.then(() => 'ready' as const),
      exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), readyTimeoutMs).unref()),
    ]);
    if (outcome === 'exited') throw new Error(`${spec.name} exited during start${spec.logFile ? ` (see ${spec.logFile})` : ''}`);
    if (outcome === 'timeout') throw new Error(`${spec.name} was not ready after ${readyTimeoutMs / 1000}s${spec.logFile ? ` (see ${spec.logFile})` : ''}`);
  }

  /** Starts again the last child of that name (which must have exited), as it was started. */
  async restart(name: string): Promise<void> {
    const last = [...this.children].reverse().find((c) => c.spec.name === name);
    if (!last) throw new Error(`no child named ${name}`);
    if (this.running(name)) throw new Error(`${name} is still running`);
    await this.start(last.spec);
  }

  /** The process id of the running child of that name. */
  pid(name: string): number | undefined {
    return this.running(name)?.process.pid;
  }

  /** Stops the running child of that name (its stop signal, or `signal`: SIGKILL for a crash) and waits for its exit. */
  async stop(name: string, signal?: NodeJS.Signals): Promise<void> {
    const child = this.running(name);
    if (!child) throw new Error(`no running child named ${name}`);
    await this.stopChild(child, signal);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const child of [...this.children].reverse()) await this.stopChild(child);
  }

  private running(name: string): Child | undefined {
    return [...this.children].reverse().find((c) => c.spec.name === name && c.process.exitCode === null && c.process.signalCode === null);
  }

  private async stopChild(child: Child, signal = child.spec.stopSignal ?? 'SIGTERM'): Promise<void> {
    const { spec, process: proc, exited } = child;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    child.expected = true;
    if (signal !== 'SIGKILL') this.print(`stopping ${spec.name}`);
    signalGroup(proc, signal);
    const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), STOP_GRACE_MS).unref())]);
    if (!stopped) {
      this.print(`${spec.name} did not stop in ${STOP_GRACE_MS / 1000}s; killing it`);
      signalGroup(proc, 'SIGKILL');
      await exited;
    }
  }
}

/** Whether the port accepted a connection before the process exited. */
async function portOpen(port: number, exited: Promise<unknown>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
