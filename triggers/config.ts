// The receiver's configuration, from the environment. A source without credentials is off:
// it answers 401 to everything.
import { parseDuration } from '../dsl/durations';
import { runbookDirs } from '../repository/runbook-dirs';
import type { SourceAuthConfig } from './auth';
import { credentialProblems } from './auth/config';

export interface ReceiverConfig {
  host: string;
  port: number;
  /** The runbook folders (RUNBOOK_DIR), the same the worker admits. */
  runbookDirs: string[];
  auth: SourceAuthConfig;
  /** Bigger deliveries get 413. */
  bodyLimitBytes: number;
  /** Answer before senders give up (PagerDuty waits 5 s): past this, 503 and the sender retries. */
  deadlineMs: number;
}

const list = (value: string | undefined): string[] | undefined => {
  const items = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
};

export class ReceiverConfigError extends Error {
  override readonly name = 'ReceiverConfigError';
}

/** Refuses a configuration the receiver must not run with (weak or malformed credentials). */
export function checkReceiverConfig(config: ReceiverConfig): void {
  const problems = credentialProblems(config.auth);
  if (problems.length > 0) throw new ReceiverConfigError(`refusing to start with weak or malformed credentials:\n  ${problems.join('\n  ')}`);
}

export function receiverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ReceiverConfig {
  const bearerTokens = list(env.ALERTMANAGER_TOKENS);
  const basic = list(env.ALERTMANAGER_BASIC_AUTH)?.map((pair) => {
    const colon = pair.indexOf(':');
    return { username: pair.slice(0, colon), password: pair.slice(colon + 1) };
  });
  const grafana = list(env.GRAFANA_WEBHOOK_SECRETS);
  const pagerduty = list(env.PAGERDUTY_WEBHOOK_SECRETS);
  const pagerdutyMaxAge = env.PAGERDUTY_MAX_EVENT_AGE ? parseDuration(env.PAGERDUTY_MAX_EVENT_AGE) : undefined;
  if (env.PAGERDUTY_MAX_EVENT_AGE && pagerdutyMaxAge === undefined)
    throw new ReceiverConfigError(`PAGERDUTY_MAX_EVENT_AGE=${env.PAGERDUTY_MAX_EVENT_AGE} is not a duration (e.g. 1h)`);
  const webhook = list(env.WEBHOOK_SECRETS);
  const config: ReceiverConfig = {
    host: env.RUNBOOK_RECEIVER_HOST ?? '127.0.0.1',
    port: Number(env.RUNBOOK_RECEIVER_PORT ?? 9095),
    runbookDirs: runbookDirs(env),
    auth: {
      ...((bearerTokens || basic) && { alertmanager: { ...(bearerTokens && { bearerTokens }), ...(basic && { basic }) } }),
      ...(grafana && { grafana: { secrets: grafana, ...(env.GRAFANA_TIMESTAMP_HEADER && { timestampHeader: env.GRAFANA_TIMESTAMP_HEADER.toLowerCase() }) } }),
      ...(pagerduty && { pagerduty: { secrets: pagerduty, ...(pagerdutyMaxAge !== undefined && { maxEventAgeSeconds: pagerdutyMaxAge / 1000 }) } }),
      ...(webhook && { webhook: { secrets: webhook } }),
    },
    bodyLimitBytes: Number(env.RUNBOOK_RECEIVER_BODY_LIMIT ?? 1024 * 1024),
    deadlineMs: Number(env.RUNBOOK_RECEIVER_DEADLINE_MS ?? 4_000),
  };
  checkReceiverConfig(config);
  return config;
}

export function configuredSources(auth: SourceAuthConfig): string[] {
  return Object.keys(auth);
}
