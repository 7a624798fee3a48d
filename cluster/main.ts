// `npm run cluster`: docker-compose.yml's production topology with real processes on this
// machine (docs/cluster.md): PostgreSQL, the Temporal server's four services, two workers and two
// receivers. Data stays in RUNBOOK_CLUSTER_DIR (default .data/cluster) across restarts.
// Ctrl-C stops everything, newest first.
import path from 'node:path';
import { PROJECT_ROOT } from '../repository/project';
import { runbookDirs } from '../repository/runbook-dirs';
import { configuredSources, receiverConfigFromEnv } from '../triggers/config';
import { portFree } from '../cli/up';
import { readComposeTopology } from './compose';
import { startCluster } from './cluster';

async function main(): Promise<number> {
  const print = (line: string) => console.log(line);
  const env = process.env;
  const topology = readComposeTopology();
  const frontendPort = Number(env.RUNBOOK_TEMPORAL_PORT ?? 7233);
  const uiPort = Number(env.RUNBOOK_UI_PORT ?? 8233);
  const firstReceiver = Number(env.RUNBOOK_RECEIVER_PORT ?? 9095);
  const receiverPorts = Array.from({ length: topology.receivers }, (_, i) => firstReceiver + i);
  for (const port of [frontendPort, uiPort, ...receiverPorts])
    if (!(await portFree('127.0.0.1', port)))
      throw new Error(
        `port ${port} is in use. Is \`npm start\` or another cluster running? Stop it, or set RUNBOOK_TEMPORAL_PORT / RUNBOOK_UI_PORT / RUNBOOK_RECEIVER_PORT.`,
      );
  // Ctrl-C while the cluster starts lets the start finish, then stops all: its processes have
  // process groups of their own, which the terminal's Ctrl-C does not reach.
  let interrupted = false;
  let onSignal = () => void (interrupted = true);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal());
  const cluster = await startCluster({
    dir: env.RUNBOOK_CLUSTER_DIR ? path.resolve(env.INIT_CWD ?? process.cwd(), env.RUNBOOK_CLUSTER_DIR) : path.join(PROJECT_ROOT, '.data', 'cluster'),
    frontendPort,
    uiPort,
    receiverPorts,
    workerMetrics: true,
    runbookDirs: runbookDirs(env, env.INIT_CWD ?? process.cwd()),
    print,
  });
  onSignal = () => void cluster.stop(0);
  if (interrupted) await cluster.stop(0);
  const sources = configuredSources(receiverConfigFromEnv(env).auth);
  print('');
  print('runbook cluster is up (the topology of docker-compose.yml, one process per container)');
  print(`  Temporal     ${cluster.address} (namespace ${cluster.namespace}, version ${topology.temporalVersion}, PostgreSQL ${topology.postgresMajor})`);
  print(`  Web UI       ${cluster.uiUrl} (version ${topology.uiVersion})`);
  for (const w of cluster.workers) print(`  ${w.name.padEnd(12)} task queue ${cluster.taskQueue}, metrics ${w.url}`);
  for (const r of cluster.receivers)
    print(`  ${r.name.padEnd(12)} ${r.url}/alerts/${sources.length ? `{${sources.join(',')}}` : '… (no alert source configured: docs/alerts.md)'}`);
  print(`  Logs         ${cluster.logDir}`);
  print(`  Try: TEMPORAL_ADDRESS=${cluster.address} bin/runbook run runbooks/smoke-check.yaml`);
  print('Press Ctrl-C to stop.');
  return cluster.done;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
