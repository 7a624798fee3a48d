// The alert receiver as the benchmarks run it: on a free port with one Alertmanager token, and
// the helpers that feed it (Alertmanager's payload for one alert, a pool of concurrent senders).
import type { Client } from '@temporalio/client';
import type { Alert } from '../../dsl/alert';
import type { CompiledRunbook } from '../../dsl/compiled';
import { receiverMetrics } from '../../triggers/metrics';
import { buildServer } from '../../triggers/server';

export const BENCH_TOKEN = 'bench-token-0123456789';

/** A receiver routing to these runbooks; `url` is its Alertmanager endpoint. */
export async function benchReceiver(
  client: Client,
  taskQueue: string,
  runbooks: CompiledRunbook[],
  deadlineMs: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = buildServer({
    config: { host: '127.0.0.1', port: 0, runbookDirs: [], auth: { alertmanager: { bearerTokens: [BENCH_TOKEN] } }, bodyLimitBytes: 1 << 20, deadlineMs },
    client,
    taskQueue,
    runbooks: () => runbooks,
    metrics: receiverMetrics(),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/alerts/alertmanager`, close: () => app.close() };
}

/** One alert as Alertmanager delivers it. */
export function alertmanagerPayload(alert: Alert): string {
  return JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'bench',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am',
    alerts: [
      {
        status: 'firing',
        labels: alert.labels,
        annotations: {},
        startsAt: alert.startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: alert.fingerprint,
      },
    ],
  });
}

/** Runs `fn` over the items, `concurrency` at a time. */
export async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
