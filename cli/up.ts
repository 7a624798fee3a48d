// `runbook up` (what `npm start` runs): the embedded stack on one machine. The Temporal dev
// server keeps its SQLite file in .data/ (history survives restarts), then the worker and the
// alert receiver start. Ctrl-C stops everything, newest first.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { findTemporalBinary } from '../temporal/binary';
import { PROJECT_ROOT } from '../repository/project';
import { runbookDirs } from '../repository/runbook-dirs';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';
import { startDevInbox, type DevInbox } from './dev-inbox';
import { Supervisor } from './supervisor';
import { metricsAddress } from '../worker/telemetry';
import { configuredSources, receiverConfigFromEnv } from '../triggers/config';

export interface UpOptions {
  dataDir: string;
  ip: string;
  port: number;
  uiPort: number;
  receiverPort: number;
  /** The dev inbox (development only) that catches notifications nobody configured. */
  inboxPort: number;
  /** The worker's metrics endpoint (RUNBOOK_METRICS_ADDRESS), or undefined when off. */
  metrics: string | undefined;
  /** The runbook folders the worker serves and the receiver routes to, as absolute paths. */
  runbookDirs: string[];
}

export function upOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): UpOptions {
  return {
    dataDir: env.RUNBOOK_DATA_DIR ?? path.join(PROJECT_ROOT, '.data'),
    ip: env.RUNBOOK_TEMPORAL_IP ?? '127.0.0.1',
    port: Number(env.RUNBOOK_TEMPORAL_PORT ?? 7233),
    uiPort: Number(env.RUNBOOK_UI_PORT ?? 8233),
    receiverPort: Number(env.RUNBOOK_RECEIVER_PORT ?? 9095),
    inboxPort: Number(env.RUNBOOK_INBOX_PORT ?? 8025),
    metrics: metricsAddress(env),
    // `npm start` runs in the project's root; a relative RUNBOOK_DIR means the folder npm was started from.
    runbookDirs: runbookDirs(env, env.INIT_CWD ?? process.cwd()),
  };
}

/** The embedded stack, started: stop it (children newest first) or wait until it stops. */
export interface Stack {
  address: string;
  inboxUrl: string;
  /** Resolves with the exit code once everything stopped (Ctrl-C, a child that died, `stop`). */
  done: Promise<number>;
  stop(code?: number): Promise<void>;
}

/** `npm start`: the stack, its banner, and Ctrl-C. */
export async function up(options: UpOptions, print: (line: string) => void): Promise<number> {
  let stack: Stack | undefined;
  const supervisor = new Supervisor(print);
  // Ctrl-C while the stack starts stops what already runs too: children have process groups of their own.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void (stack ? stack.stop(0) : supervisor.stopAll().then(() => process.exit(130))));
  try {
    stack = await startStack(options, print, supervisor);
  } catch (err) {
    print(`error: ${(err as Error).message}`);
    return 1;
  }
  print('');
  print('runbook stack is up');
  print(`  Temporal         ${stack.address} (namespace default, data ${options.dataDir})`);
  print(`  Temporal Web UI  http://localhost:${options.uiPort}`);
  // Only the sources the receiver will accept: a listed source without credentials would answer 401.
  const sources = configuredSources(receiverConfigFromEnv(process.env).auth);
  print(
    `  Alert receiver   ${
      sources.length
        ? `http://127.0.0.1:${options.receiverPort}/alerts/{${sources.join(',')}}`
        : `http://127.0.0.1:${options.receiverPort} (no alert source configured: set ALERTMANAGER_TOKENS, GRAFANA_WEBHOOK_SECRETS, PAGERDUTY_WEBHOOK_SECRETS or WEBHOOK_SECRETS; docs/alerts.md)`
    }`,
  );
  print(`  Worker metrics   ${options.metrics ? `http://${options.metrics}/metrics` : 'off (RUNBOOK_METRICS_ADDRESS=off)'}`);
  print(`  Runbooks         ${options.runbookDirs.map((d) => path.relative(process.cwd(), d) || '.').join(path.delimiter)} (RUNBOOK_DIR)`);
  print(`  Dev inbox        ${stack.inboxUrl} (development only: notifications with no Slack or PagerDuty configured land here and on this console)`);
  print(`  Temporal log     ${path.join(options.dataDir, 'temporal.log')}`);
  print('  Try: bin/runbook run runbooks/smoke-check.yaml');
  print('Press Ctrl-C to stop.');
  return stack.done;
}

/**
 * Starts the dev server, the dev inbox, the worker and the receiver under `supervisor` (which may
 * already run other children: they stop with the stack). `env` is added to the worker's and the
 * receiver's environment. Throws, with everything stopped, when a part does not come up.
 */
export async function startStack(
  options: UpOptions,
  print: (line: string) => void,
  supervisor: Supervisor,
  extra: { env?: NodeJS.ProcessEnv; temporalMetricsPort?: number } = {},
): Promise<Stack> {
  const temporal = findTemporalBinary();
  mkdirSync(options.dataDir, { recursive: true });
  for (const [what, port] of [
    ['Temporal', options.port],
    ['Temporal Web UI', options.uiPort],
    ['alert receiver', options.receiverPort],
    ['dev inbox', options.inboxPort],
    ...(options.metrics ? ([['worker metrics', Number(options.metrics.split(':').at(-1))]] as const) : []),
  ] as const) {
    if (!(await portFree(options.ip, port)))
      throw new Error(
        `port ${port} (${what}) is in use. Is another stack running? Stop it, or set RUNBOOK_TEMPORAL_PORT / RUNBOOK_UI_PORT / RUNBOOK_RECEIVER_PORT / RUNBOOK_INBOX_PORT / RUNBOOK_METRICS_ADDRESS.`,
      );
  }
  let finished: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finished = resolve));
  let stopping = false;
  let inbox: DevInbox | undefined;
  const stop = async (code = 0) => {
    if (stopping) return done.then(() => undefined);
    stopping = true;
    await supervisor.stopAll();
    await inbox?.close();
    print('stopped');
    finished(code);
  };
  supervisor.onUnexpectedExit = (name, code) => {
    print(`${name} exited unexpectedly (code ${code}); stopping the stack`);
    void stop(1);
  };
  const address = `${options.ip}:${options.port}`;
  try {
    await supervisor.start({
      name: 'temporal',
      command: temporal,
      args: [
        'server',
        'start-dev',
        '--ip',
        options.ip,
        '--port',
        String(options.port),
        '--ui-port',
        String(options.uiPort),
        ...(extra.temporalMetricsPort ? ['--metrics-port', String(extra.temporalMetricsPort)] : []),
        '--db-filename',
        path.join(options.dataDir, 'temporal.db'),
        '--log-level',
        'warn',
        ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=Keyword`]),
      ],
      logFile: path.join(options.dataDir, 'temporal.log'),
    });
    await waitForTemporal(address, 60_000);
    inbox = await startDevInbox({ host: options.ip, port: options.inboxPort, file: path.join(options.dataDir, 'dev-inbox.jsonl'), print });
    const env = {
      ...process.env,
      ...devNotifications(inbox.url),
      TEMPORAL_ADDRESS: address,
      RUNBOOK_STATE_DIR: process.env.RUNBOOK_STATE_DIR ?? options.dataDir,
      RUNBOOK_DIR: options.runbookDirs.join(path.delimiter),
      ...extra.env,
    };
    await supervisor.start({
      name: 'worker',
      command: process.execPath,
      args: [path.join(PROJECT_ROOT, 'dist', 'worker', 'main.js')],
      env,
      readyLine: /^worker ready/,
    });
    await supervisor.start({
      name: 'receiver',
      command: process.execPath,
      args: [path.join(PROJECT_ROOT, 'dist', 'triggers', 'main.js')],
      env: { ...env, RUNBOOK_RECEIVER_PORT: String(options.receiverPort), RUNBOOK_RECEIVER_LOG: process.env.RUNBOOK_RECEIVER_LOG ?? 'off' },
      readyLine: /^receiver ready/,
    });
  } catch (err) {
    await stop(1);
    throw err;
  }
  return { address, inboxUrl: inbox.url, done, stop };
}

/**
 * Where the worker's notifications go when nobody configured them: the dev inbox. Only unset
 * settings are filled in, so a configured Slack or PagerDuty is used as configured.
 */
function devNotifications(inbox: string): NodeJS.ProcessEnv {
  const unset = (name: string) => !process.env[name];
  return {
    ...(unset('SLACK_WEBHOOK_URL') && { SLACK_WEBHOOK_URL: `${inbox}/slack` }),
    // A real routing key keeps the real endpoint.
    ...(unset('PAGERDUTY_ROUTING_KEY') && { PAGERDUTY_ROUTING_KEY: 'dev-inbox', PAGERDUTY_EVENTS_URL: `${inbox}/pagerduty` }),
  };
}

export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs / 1000}s: ${(lastError as Error)?.message}`);
}
