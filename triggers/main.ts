// The alert receiver process: routes alerts to the runbooks in RUNBOOK_DIR (reloaded when a file
// changes or on SIGHUP, like the worker) and starts remediations on Temporal (the TEMPORAL_*
// variables). Stops cleanly on SIGINT/SIGTERM.
import { catalogOf, loadActions } from '../activities/registry';
import { connectClient, temporalSettings } from '../temporal/connection';
import { tracingFromEnv } from '../temporal/tracing';
import { configuredSources, receiverConfigFromEnv } from './config';
import { receiverMetrics } from './metrics';
import type { CompiledRunbook } from '../dsl/compiled';
import { loadRunbookDirs } from '../repository/runbook-dirs';
import { reloadOnChange } from '../repository/watch-dirs';
import { buildServer } from './server';
import { peopleFile } from '../activities/humans/people-file';

async function main(): Promise<void> {
  const config = receiverConfigFromEnv();
  const settings = temporalSettings();
  const catalog = catalogOf(loadActions());
  let routed: CompiledRunbook[] = [];
  const load = () => {
    const loaded = loadRunbookDirs(config.runbookDirs, catalog);
    for (const problem of loaded.problems) console.error(`runbook not loaded: ${problem}`);
    routed = loaded.runbooks.filter((r) => r.triggers.length > 0);
  };
  load();
  const client = await connectClient(settings, 'runbook-receiver');
  // Slack buttons are answered only when the app's signing secret is configured.
  const slackSecrets = (process.env.SLACK_SIGNING_SECRETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const app = buildServer({
    ...(slackSecrets.length > 0 && {
      slack: { signingSecrets: slackSecrets, peopleFile: peopleFile(), ...(process.env.SLACK_BRIDGE_KEY && { bridgeKey: process.env.SLACK_BRIDGE_KEY }) },
    }),
    config,
    client,
    taskQueue: settings.taskQueue,
    runbooks: () => routed,
    metrics: receiverMetrics(),
    logger: process.env.RUNBOOK_RECEIVER_LOG !== 'off',
  });
  await app.listen({ host: config.host, port: config.port });
  const sources = configuredSources(config.auth);
  if (config.auth.grafana && !config.auth.grafana.timestampHeader) {
    console.warn(
      'warning: GRAFANA_TIMESTAMP_HEADER is not set, so a captured Grafana delivery can be replayed later (each occurrence still starts one remediation at most); see docs/security.md',
    );
  }
  console.log(
    `receiver ready: http://${config.host}:${config.port}/alerts/<source> routing to ${routed.map((r) => r.name).join(', ') || 'no runbooks'}; ` +
      `sources configured: ${sources.join(', ') || 'none (set ALERTMANAGER_TOKENS, GRAFANA_WEBHOOK_SECRETS, PAGERDUTY_WEBHOOK_SECRETS or WEBHOOK_SECRETS)'}; ` +
      `Slack buttons: ${slackSecrets.length ? `POST /slack/interactions` : 'off (set SLACK_SIGNING_SECRETS)'}`,
  );
  const reloader = reloadOnChange(config.runbookDirs, (why) => {
    load();
    console.log(`receiver reloaded runbooks (${why}): routing to ${routed.map((r) => r.name).join(', ') || 'no runbooks'}`);
  });
  const stop = async () => {
    reloader.close();
    await app.close();
    await client.connection.close();
    await tracingFromEnv('runbook-receiver')?.shutdown();
    console.log('receiver stopped');
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(`receiver failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
