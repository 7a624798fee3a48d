// The worker's metrics endpoint: the SDK's runtime metrics and the engine's own (contract/metrics.ts)
// on one Prometheus endpoint, RUNBOOK_METRICS_ADDRESS (host:port; default 127.0.0.1:9464; `off`).
// Installed once per process, before the first connection.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { HISTOGRAM_BUCKETS } from '../contract/metrics';

export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';

/** Where the worker serves /metrics, or undefined when it is off. */
export function metricsAddress(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const address = (env.RUNBOOK_METRICS_ADDRESS ?? DEFAULT_METRICS_ADDRESS).trim();
  if (address === 'off' || address === '') return undefined;
  if (!/^[^\s:]+:\d{1,5}$/.test(address) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(address))
    throw new Error(`RUNBOOK_METRICS_ADDRESS=${address} is not host:port (or \`off\`)`);
  return address;
}

export function installTelemetry(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const address = metricsAddress(env);
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' } },
      ...(address && {
        metrics: { prometheus: { bindAddress: address, countersTotalSuffix: true, useSecondsForDurations: true, histogramBucketOverrides: HISTOGRAM_BUCKETS } },
      }),
    },
  });
  return address;
}
