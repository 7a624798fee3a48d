// The runbooks a worker serves: compiled from RUNBOOK_DIR at start and again whenever a file
// changes (or on SIGHUP), and handed to admission. Development mode (RUNBOOK_DEV_ADMIT_ANY=1)
// admits any definition whose hash checks out; it is loud on purpose.
import path from 'node:path';
import type { ActionCatalog } from '../dsl/catalog';
import { parseDuration } from '../dsl/durations';
import { Admission } from '../activities/admission/admission';
import { loadRunbookDirs, runbookDirs } from '../repository/runbook-dirs';
import { reloadOnChange, type Reloader } from '../repository/watch-dirs';
import { PROJECT_ROOT } from '../repository/project';

export interface ServedRunbooks {
  admission: Admission;
  dirs: string[];
  reloader: Reloader;
}

export function admissionFromEnv(env: NodeJS.ProcessEnv, warn: (message: string) => void): Admission {
  const grace = env.RUNBOOK_ADMISSION_GRACE ? parseDuration(env.RUNBOOK_ADMISSION_GRACE) : undefined;
  if (env.RUNBOOK_ADMISSION_GRACE && grace === undefined) throw new Error(`RUNBOOK_ADMISSION_GRACE=${env.RUNBOOK_ADMISSION_GRACE} is not a duration (e.g. 7d)`);
  return new Admission({
    stateFile: path.join(env.RUNBOOK_STATE_DIR ?? path.join(PROJECT_ROOT, '.data'), 'admitted-runbooks.json'),
    ...(grace !== undefined && { graceMs: grace }),
    admitAny: ['1', 'true', 'yes'].includes((env.RUNBOOK_DEV_ADMIT_ANY ?? '').toLowerCase()),
    warn,
  });
}

export function serveRunbooks(catalog: ActionCatalog, env: NodeJS.ProcessEnv, log: { info(m: string): void; warn(m: string): void }): ServedRunbooks {
  const dirs = runbookDirs(env);
  const admission = admissionFromEnv(env, log.warn);
  const load = (why: string) => {
    const loaded = loadRunbookDirs(dirs, catalog);
    for (const problem of loaded.problems) log.warn(`runbook not admitted: ${problem}`);
    admission.serve(loaded.runbooks, dirs);
    log.info(
      `serving ${loaded.runbooks.length} runbook(s) from ${dirs.join(', ')} (${why}): ${loaded.runbooks.map((r) => `${r.name}@${r.hash.slice(0, 12)}`).join(', ') || 'none'}`,
    );
  };
  load('start');
  if (admission.admitsAny) {
    log.warn(
      'DEVELOPMENT MODE (RUNBOOK_DEV_ADMIT_ANY): this worker runs ANY runbook definition a client sends, including ones it does not serve. Never use it in production.',
    );
  }
  return { admission, dirs, reloader: reloadOnChange(dirs, load) };
}
