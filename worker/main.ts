// The worker process: connects to Temporal from the environment, serves the runbook task
// queue, and drains in-flight work on SIGINT/SIGTERM (the SDK handles those signals).
import { claudeConfigFromEnv } from '../activities/claude/config';
import { egressPolicyFromEnv } from '../activities/egress';
import { installFleetPolicy } from '../activities/governor/requests';
import { loadFleetPolicy } from '../activities/governor/policy';
import { catalogOf, loadActions } from '../activities/registry';
import { connectClient, temporalSettings } from '../temporal/connection';
import { watchGovernor } from '../activities/governor/doctor';
import { createWorker } from './create-worker';
import { loadPeopleFile, peopleFile } from '../activities/humans/people-file';
import { requireSignaturesFromEnv } from '../activities/humans/people';
import { serveRunbooks } from './served-runbooks';
import { installTelemetry } from './telemetry';
import { tracingFromEnv } from '../temporal/tracing';

const log = { info: (m: string) => console.log(m), warn: (m: string) => console.warn(`warning: ${m}`) };

async function main(): Promise<void> {
  const metrics = installTelemetry();
  const settings = temporalSettings();
  const actions = loadActions();
  const claude = claudeConfigFromEnv();
  // Read now so that a policy with a typo stops the worker at start, not its first request.
  egressPolicyFromEnv();
  const served = serveRunbooks(catalogOf(actions), process.env, log);
  const fleetPolicy = loadFleetPolicy();
  const people = { file: peopleFile(), requireSignatures: requireSignaturesFromEnv() };
  // A people file that does not parse would refuse every approval: stop now instead.
  const known = await loadPeopleFile(people.file);
  const { worker, connection } = await createWorker({
    people,
    settings,
    actions,
    admission: served.admission,
    claude,
    fleetPolicy,
    ...(process.env.RUNBOOK_WORKFLOW_BUNDLE && { workflowBundlePath: process.env.RUNBOOK_WORKFLOW_BUNDLE }),
    ...(process.env.RUNBOOK_MAX_CACHED_WORKFLOWS && { maxCachedWorkflows: Number(process.env.RUNBOOK_MAX_CACHED_WORKFLOWS) }),
  });
  console.log(
    `worker ready: ${settings.connection.address} namespace=${settings.namespace} taskQueue=${settings.taskQueue} actions=${actions.map((a) => a.name).join(',')} ` +
      `model=${claude.apiKey ? claude.defaultModel : 'none (no ANTHROPIC_API_KEY: people decide)'} ` +
      `people=${people.file} (${Object.keys(known.groups).length} group(s), ${Object.values(known.people).filter((p) => p.keys.length > 0).length} person(s) with keys) ` +
      `signatures=${people.requireSignatures ? 'required everywhere' : 'as each step says'} ` +
      `metrics=${metrics ? `http://${metrics}/metrics` : 'off'}`,
  );
  // The governor of this queue takes the policy this worker was started with (the latest start wins).
  // It runs on the workers of the queue, this one included: its answer needs the worker running.
  // It also checks the governor keeps working, and starts it over if its history stops replaying.
  let policyFailed = false;
  const running = worker.run();
  const client = await connectClient(settings, 'runbook-worker');
  const stopWatching = watchGovernor(client, settings.taskQueue, (line) => console.error(line));
  installFleetPolicy(client, settings.taskQueue, fleetPolicy, (line) => console.error(line)).then(
    () => console.log(`fleet policy installed: ${fleetPolicy.budgets.length} budget(s), breaker ${fleetPolicy.breaker ? 'on' : 'off'}`),
    (err: unknown) => {
      // Budgets that are not enforced must not go unnoticed: stop rather than run unguarded.
      console.error(`worker stopping: could not install the fleet policy: ${err instanceof Error ? err.message : String(err)}`);
      policyFailed = true;
      worker.shutdown();
    },
  );
  try {
    await running;
    if (policyFailed) process.exitCode = 1;
  } finally {
    stopWatching();
    await client.connection.close();
    served.reloader.close();
    await connection.close();
    await tracingFromEnv('runbook-worker')?.shutdown();
  }
  console.log('worker stopped');
}

main().catch((err) => {
  console.error(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
