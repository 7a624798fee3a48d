// The Temporal server on PostgreSQL, as docker-compose.yml runs it: its four services, each a
// process of its own, configured by the server's embedded template from the compose file's
// settings (x-temporal-env). The schema script runs first; the services start one after the other
// (each once its gRPC port listens), because four first starts at once race to write the
// cluster's metadata and all but one fail.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Supervisor } from '../cli/supervisor';
import { waitForTemporal } from '../cli/up';
import { PROJECT_ROOT } from '../repository/project';
import type { TemporalService } from './compose';

const run = promisify(execFile);

/** The ports each service listens on (gRPC, membership; HTTP and metrics where it has them). */
export interface ServerPorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
  metrics: Record<TemporalService, number>;
}

export interface TemporalServerOptions {
  /** Holds bin/temporal-server, bin/temporal-sql-tool and schema/ (scripts/build-temporal-server.sh). */
  build: string;
  /** The compose file's server settings; the database address and the ports are this machine's. */
  settings: Record<string, string>;
  postgresPort: number;
  ports: ServerPorts;
  logDir: string;
}

function serverEnv(o: TemporalServerOptions): NodeJS.ProcessEnv {
  const p = o.ports;
  return {
    ...process.env,
    ...o.settings,
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(o.postgresPort),
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(p.frontendGrpc),
    FRONTEND_HTTP_PORT: String(p.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(p.frontendMembership),
    HISTORY_GRPC_PORT: String(p.historyGrpc),
    HISTORY_MEMBERSHIP_PORT: String(p.historyMembership),
    MATCHING_GRPC_PORT: String(p.matchingGrpc),
    MATCHING_MEMBERSHIP_PORT: String(p.matchingMembership),
    WORKER_GRPC_PORT: String(p.workerGrpc),
    WORKER_MEMBERSHIP_PORT: String(p.workerMembership),
    PATH: `${path.join(o.build, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
}

/** Creates the databases if needed and brings the schemas to this server version (config/temporal/schema.sh). */
export async function setupSchema(o: TemporalServerOptions): Promise<void> {
  try {
    await run('sh', [path.join(PROJECT_ROOT, 'config', 'temporal', 'schema.sh')], {
      env: { ...serverEnv(o), SCHEMA_DIR: path.join(o.build, 'schema', 'postgresql', 'v12') },
      maxBuffer: 64 << 20,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`the Temporal schema setup failed: ${e.message}\n${(e.stderr ?? '').split('\n').slice(-15).join('\n')}`, { cause: err });
  }
}

const GRPC_PORT: Record<TemporalService, keyof ServerPorts> = {
  frontend: 'frontendGrpc',
  history: 'historyGrpc',
  matching: 'matchingGrpc',
  worker: 'workerGrpc',
};

/** The supervisor's name of a service's process. */
export const processName = (service: TemporalService) => `temporal-${service}`;

/** Starts the four services (history first: it owns the shards the others need) and waits until the frontend answers. */
export async function startTemporalServer(supervisor: Supervisor, o: TemporalServerOptions): Promise<void> {
  const env = serverEnv(o);
  for (const service of ['history', 'matching', 'frontend', 'worker'] as const) {
    await supervisor.start({
      name: processName(service),
      command: path.join(o.build, 'bin', 'temporal-server'),
      args: ['start', '--service', service],
      env: { ...env, PROMETHEUS_ENDPOINT: `127.0.0.1:${o.ports.metrics[service]}` },
      logFile: path.join(o.logDir, `${processName(service)}.log`),
      readyPort: o.ports[GRPC_PORT[service]] as number,
    });
  }
  await waitForTemporal(`127.0.0.1:${o.ports.frontendGrpc}`, 60_000);
}

/** Stops the four services (the frontend first, so clients see it go), newest first within the supervisor. */
export async function stopTemporalServer(supervisor: Supervisor): Promise<void> {
  for (const service of ['frontend', 'worker', 'matching', 'history'] as const) await supervisor.stop(processName(service));
}
