// The worker process: connects to Temporal from the environment, serves the runbook task
// queue, and drains in-flight work on SIGINT/SIGTERM (the SDK handles those signals).
import { claudeConfigFromEnv } from '../activities/claude/config';
import { loadActions } from '../activities/registry';
import { temporalSettings } from '../temporal/connection';
import { createWorker } from './create-worker';

async function main(): Promise<void> {
  const settings = temporalSettings();
  const actions = loadActions();
  const claude = claudeConfigFromEnv();
  const { worker, connection } = await createWorker({
    settings,
    actions,
    claude,
    ...(process.env.RUNBOOK_WORKFLOW_BUNDLE && { workflowBundlePath: process.env.RUNBOOK_WORKFLOW_BUNDLE }),
    ...(process.env.RUNBOOK_MAX_CACHED_WORKFLOWS && { maxCachedWorkflows: Number(process.env.RUNBOOK_MAX_CACHED_WORKFLOWS) }),
  });
  console.log(
    `worker ready: ${settings.connection.address} namespace=${settings.namespace} taskQueue=${settings.taskQueue} actions=${actions.map((a) => a.name).join(',')} ` +
      `model=${claude.apiKey ? claude.defaultModel : 'none (no ANTHROPIC_API_KEY: people decide)'}`,
  );
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
  console.log('worker stopped');
}

main().catch((err) => {
  console.error(`worker failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
