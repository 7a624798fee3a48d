// The cluster's PostgreSQL: Debian's server binaries of the major version docker-compose.yml
// names, a data folder of our own (initdb on first use, kept afterwards), loopback only, and the
// superuser the compose file's postgres image would create. PostgreSQL refuses to run as root:
// as root, it runs as the `postgres` user the Debian package creates.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { Supervisor } from '../cli/supervisor';

export interface PostgresOptions {
  major: number;
  dir: string;
  port: number;
  user: string;
  password: string;
  logFile: string;
}

export function postgresBinDir(major: number): string {
  const dir = process.env.RUNBOOK_POSTGRES_BIN ?? `/usr/lib/postgresql/${major}/bin`;
  if (!existsSync(path.join(dir, 'postgres')))
    throw new Error(
      `PostgreSQL ${major} (docker-compose.yml's postgres:${major}) is not installed at ${dir}: apt-get install postgresql-${major}, or set RUNBOOK_POSTGRES_BIN to its bin folder`,
    );
  return dir;
}

/** The command that runs `argv` as the user who may run PostgreSQL. */
function asPostgresUser(argv: string[]): [string, string[]] {
  if (userInfo().uid !== 0) return [argv[0]!, argv.slice(1)];
  // setpriv replaces itself with the command (no process in between to forward signals).
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', ...argv]];
}

function ownedByPostgres(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (userInfo().uid !== 0) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  // Every folder above must let the postgres user through.
  for (let up = path.dirname(dir); up !== path.dirname(up); up = path.dirname(up))
    if ((statSync(up).mode & 0o001) === 0)
      throw new Error(`PostgreSQL runs as the postgres user, which cannot enter ${up}: set RUNBOOK_CLUSTER_DIR to a folder it can reach (e.g. under /var/tmp)`);
}

/** Starts PostgreSQL under `supervisor`, creating its data folder on first use. */
export async function startPostgres(supervisor: Supervisor, o: PostgresOptions): Promise<void> {
  const bin = postgresBinDir(o.major);
  const data = path.join(o.dir, 'data');
  ownedByPostgres(o.dir);
  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    const pwfile = path.join(o.dir, '.pwfile');
    writeFileSync(pwfile, `${o.password}\n`, { mode: 0o600 });
    if (userInfo().uid === 0) execFileSync('chown', ['postgres', pwfile]);
    const [cmd, args] = asPostgresUser([path.join(bin, 'initdb'), '-D', data, '-U', o.user, `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8']);
    try {
      execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } finally {
      execFileSync('rm', ['-f', pwfile]);
    }
  }
  const [cmd, args] = asPostgresUser([
    path.join(bin, 'postgres'),
    '-D',
    data,
    '-p',
    String(o.port),
    '-k',
    o.dir,
    '-c',
    'listen_addresses=127.0.0.1',
    // Temporal's four services and two tools each keep a pool.
    '-c',
    'max_connections=200',
  ]);
  await supervisor.start({
    name: 'postgresql',
    command: cmd,
    args,
    logFile: o.logFile,
    readyLine: /database system is ready to accept connections/,
    // Fast shutdown: SIGTERM would wait for every client to disconnect.
    stopSignal: 'SIGINT',
  });
}
