// One place that reads how to reach Temporal, for the worker, the CLI and the receiver.
// Uses Temporal's own environment configuration (the same variables as the `temporal` CLI):
// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_CLIENT_CERT_PATH,
// TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_PROFILE, ...
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { dataConverter } from './codec';
import { tracingFromEnv } from './tracing';

export const DEFAULT_ADDRESS = 'localhost:7233';
export const DEFAULT_NAMESPACE = 'default';

export interface TemporalSettings {
  connection: NativeConnectionOptions;
  namespace: string;
  taskQueue: string;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const config = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  return {
    connection: { address: DEFAULT_ADDRESS, ...config.connectionOptions },
    namespace: config.namespace ?? DEFAULT_NAMESPACE,
    taskQueue: env.RUNBOOK_TASK_QUEUE ?? 'runbooks',
  };
}

/** Runs `fn` with a client for the environment's Temporal, closing the connection afterwards. */
export async function withClient<T>(
  fn: (client: Client, settings: TemporalSettings) => Promise<T>,
  settings: TemporalSettings = temporalSettings(),
): Promise<T> {
  const client = await connectClient(settings);
  try {
    return await fn(client, settings);
  } finally {
    await client.connection.close();
  }
}

/** `service`: the OpenTelemetry service name this process reports as, when traces are on (temporal/tracing.ts). */
export async function connectClient(settings: TemporalSettings = temporalSettings(), service = 'runbook-cli'): Promise<Client> {
  const connection = await Connection.connect(settings.connection as Parameters<typeof Connection.connect>[0]);
  const converter = dataConverter();
  const tracing = tracingFromEnv(service);
  return new Client({
    connection,
    namespace: settings.namespace,
    ...(converter && { dataConverter: converter }),
    ...(tracing && { plugins: [tracing.plugin] }),
  });
}
