// Which runbook definitions this worker runs. Anyone who can start a workflow on the task queue
// chooses its input, so the worker runs only definitions it compiled itself from the folders it
// serves (children included). A definition that has since changed stays admitted for a while,
// so runs already in flight can continue as new or start their children: at most
// `maxRetiredPerName` older versions per runbook, each for `graceMs` after it was replaced.
// That history is kept in a state file, so a restarted worker still honours it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CompiledRunbook } from '../../dsl/compiled';
import { nestedChildren } from '../../dsl/definition-hash';
import type { AdmissionRequest, AdmissionVerdict } from '../../contract/activities';

export interface AdmissionOptions {
  /** Where the history of admitted definitions is kept; none: memory only. */
  stateFile?: string;
  graceMs?: number;
  maxRetiredPerName?: number;
  /** Development mode: admit any definition whose hash checks out. Never in production. */
  admitAny?: boolean;
  /** Folders, for the message that says how to admit a runbook. */
  sources?: readonly string[];
  now?: () => number;
  warn?: (message: string) => void;
}

interface Entry {
  name: string;
  /** Where it was compiled from (a file, or "child of <name>"). */
  from: string;
  admittedAt: number;
  /** Set once the definition is no longer served. */
  retiredAt?: number;
}

export const DEFAULT_GRACE_MS = 7 * 24 * 3_600_000;
export const DEFAULT_MAX_RETIRED_PER_NAME = 20;

export class Admission {
  private readonly entries = new Map<string, Entry>();
  private readonly graceMs: number;
  private readonly maxRetired: number;
  private readonly now: () => number;
  private sources: readonly string[];

  constructor(private readonly options: AdmissionOptions = {}) {
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.maxRetired = options.maxRetiredPerName ?? DEFAULT_MAX_RETIRED_PER_NAME;
    this.now = options.now ?? Date.now;
    this.sources = options.sources ?? [];
    this.restore();
  }

  get admitsAny(): boolean {
    return this.options.admitAny === true;
  }

  /** The definitions served from now on: these are current, any other current one retires. */
  serve(runbooks: readonly CompiledRunbook[], sources: readonly string[] = this.sources): void {
    this.sources = sources;
    const now = this.now();
    const current = new Map<string, Entry>();
    for (const runbook of runbooks) {
      current.set(runbook.hash, { name: runbook.name, from: runbook.file, admittedAt: now });
      for (const child of nestedChildren(runbook))
        if (!current.has(child.hash)) current.set(child.hash, { name: child.name, from: `child of ${runbook.name}`, admittedAt: now });
    }
    for (const [hash, entry] of this.entries) {
      if (!current.has(hash) && entry.retiredAt === undefined) entry.retiredAt = now;
    }
    for (const [hash, entry] of current) {
      const known = this.entries.get(hash);
      this.entries.set(hash, known ? { ...entry, admittedAt: known.admittedAt } : entry);
    }
    this.prune(now);
    this.persist();
  }

  /** Admits one more definition (and its children) without retiring any: tests and embedding. */
  add(runbook: CompiledRunbook): void {
    const now = this.now();
    this.entries.set(runbook.hash, { name: runbook.name, from: runbook.file, admittedAt: now });
    for (const child of nestedChildren(runbook)) this.entries.set(child.hash, { name: child.name, from: `child of ${runbook.name}`, admittedAt: now });
  }

  /** The hash has already been recomputed from the definition by the workflow. */
  check(request: AdmissionRequest): AdmissionVerdict {
    const entry = this.entries.get(request.hash);
    const short = request.hash.slice(0, 12);
    if (entry && entry.name === request.name) {
      if (entry.retiredAt === undefined) return { admitted: true, how: 'served', from: entry.from };
      if (this.now() - entry.retiredAt <= this.graceMs) return { admitted: true, how: 'retired', from: entry.from };
    }
    if (this.admitsAny) {
      this.options.warn?.(`development mode: admitting runbook ${request.name} (${short}), which this worker does not serve`);
      return { admitted: true, how: 'development', from: 'RUNBOOK_DEV_ADMIT_ANY' };
    }
    const where = this.sources.length ? this.sources.join(', ') : 'its runbook folders';
    const reason =
      entry && entry.name === request.name
        ? `version ${short} of runbook \`${request.name}\` was replaced more than ${Math.round(this.graceMs / 3_600_000)} h ago and is no longer admitted`
        : `runbook \`${request.name}\` (${short}) is not one this worker serves (from ${where})`;
    return {
      admitted: false,
      reason: `${reason}. To admit it, put the runbook file in one of those folders (the worker reloads them on change or on SIGHUP); to try runbooks on a laptop, start the worker with RUNBOOK_DEV_ADMIT_ANY=1 (development only)`,
    };
  }

  /** What is admitted now, for logs and tests. */
  list(): Array<{ hash: string } & Entry> {
    return [...this.entries].map(([hash, e]) => ({ hash, ...e }));
  }

  /** `now`: the caller's instant, so that a version retired in the same call is never pruned by a clock that ticked meanwhile. */
  private prune(now = this.now()): void {
    const retiredByName = new Map<string, Array<[string, Entry]>>();
    for (const [hash, entry] of this.entries) {
      if (entry.retiredAt === undefined) continue;
      if (now - entry.retiredAt > this.graceMs) {
        this.entries.delete(hash);
        continue;
      }
      retiredByName.set(entry.name, [...(retiredByName.get(entry.name) ?? []), [hash, entry]]);
    }
    for (const retired of retiredByName.values()) {
      retired.sort((a, b) => b[1].retiredAt! - a[1].retiredAt!);
      for (const [hash] of retired.slice(this.maxRetired)) this.entries.delete(hash);
    }
  }

  private restore(): void {
    const file = this.options.stateFile;
    if (!file) return;
    let saved: unknown;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.options.warn?.(`admission history ${file} is unreadable, starting without it: ${(err as Error).message}`);
      return;
    }
    // Entries come back as saved; the first serve() retires whatever is no longer served.
    for (const item of Array.isArray((saved as { admitted?: unknown }).admitted) ? (saved as { admitted: unknown[] }).admitted : []) {
      const e = item as Partial<Entry> & { hash?: unknown };
      if (typeof e.hash !== 'string' || typeof e.name !== 'string' || typeof e.admittedAt !== 'number') continue;
      this.entries.set(e.hash, {
        name: e.name,
        from: String(e.from ?? ''),
        admittedAt: e.admittedAt,
        ...(typeof e.retiredAt === 'number' && { retiredAt: e.retiredAt }),
      });
    }
  }

  private persist(): void {
    const file = this.options.stateFile;
    if (!file) return;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ admitted: this.list() }, null, 1));
      renameSync(tmp, file);
    } catch (err) {
      this.options.warn?.(`cannot write the admission history ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); it is kept in memory only`);
    }
  }
}
