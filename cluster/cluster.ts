// The production topology of docker-compose.yml with real processes on one machine: PostgreSQL,
// the Temporal server's four services, `runbook setup`, the workers and the receivers. Used by
// `npm run cluster`, the cluster tests and the cluster bench.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Supervisor } from '../cli/supervisor';
import { freePorts } from '../drill/ports';
import { PROJECT_ROOT } from '../repository/project';
import { connectClient } from '../temporal/connection';
import { prepareNamespace } from '../temporal/namespace-setup';
import { retryUntil } from '../temporal/retry-until';
import { readComposeTopology, type ComposeTopology } from './compose';
import { startPostgres } from './postgres';
import { setupSchema, startTemporalServer, stopTemporalServer, type ServerPorts, type TemporalServerOptions } from './temporal-server';

export interface ClusterOptions {
  /** PostgreSQL's data, the workers' state and every log. Kept: a second start finds the runs of the first. */
  dir: string;
  frontendPort: number;
  /** The Web UI's port. */
  uiPort: number;
  /** One port per receiver. */
  receiverPorts: number[];
  /** How many workers (the compose file's count unless said). */
  workers?: number;
  /** Worker metrics endpoints on free ports (printed), or none. */
  workerMetrics: boolean;
  runbookDirs: string[];
  /** Added to the workers' and receivers' environment. */
  env?: NodeJS.ProcessEnv;
  print: (line: string) => void;
  /** Workers' and receivers' output to log files rather than the console. */
  quiet?: boolean;
}

export interface ClusterProcess {
  name: string;
  /** Its metrics endpoint (workers) or alert endpoint base (receivers). */
  url: string | undefined;
}

export interface Cluster {
  topology: ComposeTopology;
  address: string;
  uiUrl: string;
  namespace: string;
  taskQueue: string;
  workers: ClusterProcess[];
  receivers: ClusterProcess[];
  logDir: string;
  /** Resolves with the exit code once everything stopped (a process that died stops all). */
  done: Promise<number>;
  pid(name: string): number | undefined;
  /** SIGKILL, as a crashed machine would. */
  kill(name: string): Promise<void>;
  /** Starts a killed worker or receiver again, as it was. */
  restart(name: string): Promise<void>;
  /** Stops the Temporal server's four processes and starts them again on the same database. */
  restartTemporal(): Promise<void>;
  stop(code?: number): Promise<void>;
}

/** Builds (or finds cached) the pinned Temporal server (bin/, schema/) or Web UI server (bin/, config/); its folder. */
export function buildTemporal(part: 'server' | 'ui'): string {
  return execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'build-temporal.sh'), part], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1)!;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const topology = readComposeTopology();
  const build = buildTemporal('server');
  const uiBuild = buildTemporal('ui');
  const logDir = path.join(o.dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const supervisor = new Supervisor(o.print);
  const workerCount = o.workers ?? topology.workers;
  const [postgresPort, ...internal] = await freePorts(9 + workerCount);
  // Membership ports live in a smallint column of the server's database.
  const membership = await freePorts(4, 32_768);
  const ports: ServerPorts = {
    frontendGrpc: o.frontendPort,
    frontendHttp: internal[0]!,
    frontendMembership: membership[0]!,
    historyGrpc: internal[1]!,
    historyMembership: membership[1]!,
    matchingGrpc: internal[2]!,
    matchingMembership: membership[2]!,
    workerGrpc: internal[3]!,
    workerMembership: membership[3]!,
    metrics: { frontend: internal[4]!, history: internal[5]!, matching: internal[6]!, worker: internal[7]! },
  };
  const server: TemporalServerOptions = { build, settings: topology.temporalEnv, postgresPort: postgresPort!, ports, logDir };
  const address = `127.0.0.1:${o.frontendPort}`;
  const uiUrl = `http://localhost:${o.uiPort}`;

  let finished: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finished = resolve));
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return done.then(() => undefined);
    stopping = true;
    await supervisor.stopAll();
    finished(code);
  };
  supervisor.onUnexpectedExit = (name, code) => {
    o.print(`${name} exited unexpectedly (code ${code}); stopping the cluster`);
    void stop(1);
  };

  const workers = Array.from({ length: workerCount }, (_, i) => ({
    name: `worker-${i + 1}`,
    url: o.workerMetrics ? `http://127.0.0.1:${internal[8 + i]}/metrics` : undefined,
  }));
  const receivers = o.receiverPorts.map((port, i) => ({ name: `receiver-${i + 1}`, url: `http://127.0.0.1:${port}` }));
  try {
    o.print(`PostgreSQL ${topology.postgresMajor} on 127.0.0.1:${postgresPort} (data ${path.join(o.dir, 'postgresql')})`);
    await startPostgres(supervisor, {
      major: topology.postgresMajor,
      dir: path.join(o.dir, 'postgresql'),
      port: postgresPort!,
      ...topology.postgres,
      logFile: path.join(logDir, 'postgresql.log'),
    });
    await setupSchema(server);
    o.print(`Temporal ${topology.temporalVersion}: history, matching, frontend and worker services, one process each`);
    await startTemporalServer(supervisor, server);
    const deadline = Date.now() + 60_000;
    const lines = await retryUntil(deadline, async () => {
      const client = await connectClient({ connection: { address }, namespace: topology.namespace, taskQueue: topology.taskQueue });
      try {
        const done = await prepareNamespace(client, topology.namespace, undefined, deadline);
        // Runs start with these attributes: wait until the frontend's cache knows them.
        await retryUntil(deadline, () => client.workflow.count('RunbookName = "cluster-setup" AND RemediationStatus = "running"'));
        return done;
      } finally {
        await client.connection.close();
      }
    });
    lines.forEach((line) => o.print(`setup: ${line}`));
    await supervisor.start({
      name: 'temporal-ui',
      command: path.join(uiBuild, 'bin', 'temporal-ui-server'),
      // The config template of the UI's image, read from the compose file's settings.
      args: ['--root', uiBuild, '--env', 'docker', 'start'],
      env: { ...process.env, ...topology.uiEnv, TEMPORAL_ADDRESS: address, TEMPORAL_UI_PORT: String(o.uiPort) },
      logFile: path.join(logDir, 'temporal-ui.log'),
      readyPort: o.uiPort,
    });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: topology.namespace,
      RUNBOOK_TASK_QUEUE: topology.taskQueue,
      RUNBOOK_DIR: o.runbookDirs.join(path.delimiter),
      RUNBOOK_UI_URL: uiUrl,
      ...o.env,
    };
    const output = (name: string) => (o.quiet ? { logFile: path.join(logDir, `${name}.log`) } : {});
    for (const [i, w] of workers.entries()) {
      await supervisor.start({
        name: w.name,
        command: process.execPath,
        args: [path.join(PROJECT_ROOT, 'dist', 'worker', 'main.js')],
        env: {
          ...env,
          RUNBOOK_STATE_DIR: path.join(o.dir, w.name),
          RUNBOOK_METRICS_ADDRESS: o.workerMetrics ? `127.0.0.1:${internal[8 + i]}` : 'off',
        },
        readyLine: /^worker ready/,
        ...output(w.name),
      });
    }
    for (const [i, r] of receivers.entries()) {
      await supervisor.start({
        name: r.name,
        command: process.execPath,
        args: [path.join(PROJECT_ROOT, 'dist', 'triggers', 'main.js')],
        env: { ...env, RUNBOOK_RECEIVER_PORT: String(o.receiverPorts[i]) },
        readyLine: /^receiver ready/,
        ...output(r.name),
      });
    }
  } catch (err) {
    await stop(1);
    throw err;
  }
  return {
    topology,
    address,
    uiUrl,
    namespace: topology.namespace,
    taskQueue: topology.taskQueue,
    workers,
    receivers,
    logDir,
    done,
    pid: (name) => supervisor.pid(name),
    kill: (name) => supervisor.stop(name, 'SIGKILL'),
    restart: (name) => supervisor.restart(name),
    restartTemporal: async () => {
      await stopTemporalServer(supervisor);
      await startTemporalServer(supervisor, server);
    },
    stop,
  };
}
