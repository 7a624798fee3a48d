// A real action log for guard tests: each write step is a `shell` command that appends
// `start <id> <ms>` and `end <id> <ms>` lines to a file, so tests see what ran, when, and how
// many at once, as an operator reading the target's own log would.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface LogEntry {
  what: 'start' | 'end';
  id: string;
  at: number;
}

export class ActionLog {
  readonly file = path.join(mkdtempSync(path.join(tmpdir(), 'actions-')), 'actions.log');

  /** The `with` of a shell write step that logs `id` around a sleep of `seconds`, then exits with `exitCode`. */
  command(id: string, seconds: number | string, exitCode = 0): string {
    const script = `echo "start $1 $(date +%s%3N)" >> "$2"; sleep $3; echo "end $1 $(date +%s%3N)" >> "$2"; exit ${exitCode}`;
    return `{ command: [sh, -c, '${script}', sh, '${id}', '${this.file}', '${seconds}'] }`;
  }

  entries(): LogEntry[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [what, id, at] = line.split(' ');
        return { what: what as LogEntry['what'], id: id!, at: Number(at) };
      });
  }

  starts(): LogEntry[] {
    return this.entries()
      .filter((e) => e.what === 'start')
      .sort((a, b) => a.at - b.at);
  }

  /** The most actions that were running at the same instant. */
  peak(): number {
    const events = this.entries().sort((a, b) => a.at - b.at || (a.what === 'end' ? -1 : 1));
    let now = 0;
    let peak = 0;
    for (const e of events) {
      now += e.what === 'start' ? 1 : -1;
      peak = Math.max(peak, now);
    }
    return peak;
  }

  /** The most starts within any window of `ms`. */
  mostStartsWithin(ms: number): number {
    const starts = this.starts().map((e) => e.at);
    let most = 0;
    for (let i = 0, j = 0; j < starts.length; j++) {
      while (starts[j]! - starts[i]! >= ms) i++;
      most = Math.max(most, j - i + 1);
    }
    return most;
  }
}
