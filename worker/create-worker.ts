// Builds a worker: the interpreter workflow plus one activity per action (and the Claude and
// approval activities). Used by the worker process and by the tests.
import { setFlagsFromString } from 'node:v8';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { AnyAction } from '../activities/action';
import type { Admission } from '../activities/admission/admission';
import { admissionActivities } from '../activities/admission/activity';
import { claudeActivities } from '../activities/claude/advise';
import { claudeConfigFromEnv, type ClaudeConfig } from '../activities/claude/config';
import { governorActivities } from '../activities/governor/activities';
import { loadFleetPolicy } from '../activities/governor/policy';
import { auditActivities } from '../activities/humans/audit';
import type { FleetPolicy } from '../contract/guards';
import { peopleActivities, type PeoplePolicy } from '../activities/humans/people';
import { peopleFile } from '../activities/humans/people-file';
import { notifyActivities } from '../activities/notify/activities';
import { actionActivities } from '../activities/run-action';
import type { DataConverter } from '@temporalio/common';
import { dataConverter as defaultDataConverter } from '../temporal/codec';
import type { TemporalSettings } from '../temporal/connection';
import { tracingFromEnv } from '../temporal/tracing';

/**
 * Runs kept in memory between their tasks. A parked run (an approval, a decision, a guard)
 * costs a cached isolate's worth of memory; beyond this many, a run is evicted and replayed from
 * its history when it wakes. 10,000 parked runs stay under 1.5 GiB with this (bench/README.md).
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 500;

/**
 * The heap of each workflow thread (MiB). V8 sizes a heap from the machine's memory and collects
 * lazily below that: evicted runs' garbage then sits in RSS (1.9 GiB for 10,000 parked runs on a
 * 24 GiB machine). A bound makes it collect; 500 cached runs fit well inside it.
 */
export const DEFAULT_WORKFLOW_HEAP_MB = 512;

/**
 * Bounds the heap of the workflow threads created from now on (a process-wide V8 flag; the SDK
 * starts its threads in Worker.create). RUNBOOK_WORKFLOW_HEAP_MB overrides it; 0 leaves V8's default.
 */
export function limitWorkflowHeap(mb = Number(process.env.RUNBOOK_WORKFLOW_HEAP_MB ?? DEFAULT_WORKFLOW_HEAP_MB)): void {
  if (!Number.isInteger(mb) || mb < 0) throw new Error(`RUNBOOK_WORKFLOW_HEAP_MB must be a whole number of MiB, not ${process.env.RUNBOOK_WORKFLOW_HEAP_MB}`);
  if (mb > 0) setFlagsFromString(`--max-old-space-size=${mb}`);
}

export interface WorkerSetup {
  settings: TemporalSettings;
  actions: readonly AnyAction[];
  /** The runbook definitions this worker runs; anything else fails before its first step. */
  admission: Admission;
  /** A prebuilt workflow bundle (tests share one); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  connection?: NativeConnection;
  /** How to reach Claude; default from ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL / RUNBOOK_MODEL. */
  claude?: ClaudeConfig;
  /** The people file (groups, keys) and whether every answer must be signed; defaults from RUNBOOK_PEOPLE_FILE and RUNBOOK_REQUIRE_SIGNATURES. */
  people?: PeoplePolicy;
  /** Budgets, the default breaker and the governor's watch interval; default RUNBOOK_FLEET_POLICY or config/fleet.yaml. */
  fleetPolicy?: FleetPolicy;
  /** Workflows kept in memory between tasks; parked runs beyond it are replayed when they wake. */
  maxCachedWorkflows?: number;
  /** Encrypts payloads at rest; default from RUNBOOK_PAYLOAD_KEY (none: plain JSON). */
  dataConverter?: DataConverter;
  /** Extra activities (tests use this to observe calls). */
  activities?: Record<string, (...args: never[]) => Promise<unknown>>;
  identity?: string;
}

export async function createWorker(setup: WorkerSetup): Promise<{ worker: Worker; connection: NativeConnection; ownsConnection: boolean }> {
  const ownsConnection = setup.connection === undefined;
  const connection = setup.connection ?? (await NativeConnection.connect(setup.settings.connection));
  const dataConverter = setup.dataConverter ?? defaultDataConverter();
  const claude = setup.claude ?? claudeConfigFromEnv();
  const options: WorkerOptions = {
    connection,
    namespace: setup.settings.namespace,
    taskQueue: setup.settings.taskQueue,
    activities: {
      ...actionActivities(setup.actions),
      ...claudeActivities(claude),
      ...peopleActivities(setup.people),
      ...notifyActivities(setup.people?.file ?? peopleFile()),
      ...auditActivities,
      ...admissionActivities(setup.admission, claude.apiKey !== undefined),
      ...governorActivities(setup.fleetPolicy ?? loadFleetPolicy()),
      ...setup.activities,
    },
    ...(setup.workflowBundlePath ? { workflowBundle: { codePath: setup.workflowBundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    ...(setup.identity && { identity: setup.identity }),
    maxCachedWorkflows: setup.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    ...(dataConverter && { dataConverter }),
    // A cancellation reaches a running activity only in a heartbeat's answer: heartbeat every
    // second so that cancelling a run kills its commands within a second or two.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
  };
  limitWorkflowHeap();
  // Traces need the workflow interceptors in the bundle: a prebuilt bundle (tests) has none.
  const tracing = setup.workflowBundlePath ? undefined : tracingFromEnv('runbook-worker');
  const worker = await Worker.create({ ...options, ...(tracing && { plugins: [tracing.plugin] }) });
  return { worker, connection, ownsConnection };
}
