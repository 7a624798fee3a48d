// Starts child processes in their own process groups and stops them all, newest first, so
// Ctrl-C on `npm start` leaves no orphans (each group gets SIGTERM, then SIGKILL after a grace).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
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
}

const STOP_GRACE_MS = 15_000;

export class Supervisor {
  private readonly children: Array<{ spec: ChildSpec; process: ChildProcess; exited: Promise<number | null> }> = [];
  private stopping = false;
  /** Called when a child exits while we are not stopping. */
  onUnexpectedExit: (name: string, code: number | null) => void = () => undefined;

  constructor(private readonly print: (line: string) => void) {}

  async start(spec: ChildSpec, readyTimeoutMs = 60_000): Promise<void> {
    const child = spawn(spec.command, spec.args, { env: spec.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    this.children.push({ spec, process: child, exited });
    let ready: () => void = () => undefined;
    const readyPromise = new Promise<void>((resolve) => (ready = resolve));
    if (!spec.readyLine) ready();
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
      if (!this.stopping) this.onUnexpectedExit(spec.name, code);
    });
    const outcome = await Promise.race([
      readyPromise.then(() => 'ready' as const),
      exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), readyTimeoutMs).unref()),
    ]);
    if (outcome === 'exited') throw new Error(`${spec.name} exited during start${spec.logFile ? ` (see ${spec.logFile})` : ''}`);
    if (outcome === 'timeout') throw new Error(`${spec.name} was not ready after ${readyTimeoutMs / 1000}s${spec.logFile ? ` (see ${spec.logFile})` : ''}`);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const { spec, process: child, exited } of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      this.print(`stopping ${spec.name}`);
      signalGroup(child, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), STOP_GRACE_MS).unref())]);
      if (!stopped) {
        this.print(`${spec.name} did not stop in ${STOP_GRACE_MS / 1000}s; killing it`);
        signalGroup(child, 'SIGKILL');
        await exited;
      }
    }
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
