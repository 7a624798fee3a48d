// Integration test plumbing: a client for the shared dev server, workers on private task
// queues, and compiling runbooks from YAML text.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ClaudeConfig } from '../../activities/claude/config';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import type { AnyAction } from '../../activities/action';
import { Admission } from '../../activities/admission/admission';
import { BUILTIN_ACTIONS, catalogOf } from '../../activities/registry';
import { compileRunbook } from '../../dsl/compile';
import { loadRunbookDirs } from '../../repository/runbook-dirs';
import type { CompiledRunbook } from '../../dsl/compiled';
import { formatDiagnostic, hasErrors } from '../../dsl/diagnostics';
import type { TemporalSettings } from '../../temporal/connection';
import { failureReason } from '../../temporal/run-failure';
import { startRun, type StartRequest } from '../../temporal/start-run';
import { createWorker } from '../../worker/create-worker';
import type { FleetPolicy } from '../../contract/guards';
import type { PeoplePolicy } from '../../activities/humans/people';
import type { RunResult } from '../../contract/run';
import { TEST_ACTIONS } from './test-actions';

let runtimeInstalled = false;
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // Tests provoke what the SDK warns about (terminated runs, oversized payloads, a deliberate
    // non-determinism): keep the SDK's own logs, TS and native, to errors.
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  } catch {
    // Already installed in this process.
  }
}

export function serverAddress(): string {
  const address = process.env.RUNBOOK_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('RUNBOOK_TEST_TEMPORAL_ADDRESS is not set: the jest global setup did not start Temporal');
  return address;
}

export function settings(taskQueue = `test-${randomUUID()}`): TemporalSettings {
  return { connection: { address: serverAddress() }, namespace: 'default', taskQueue };
}

let clientPromise: Promise<Client> | undefined;
export function testClient(): Promise<Client> {
  clientPromise ??= Connection.connect({ address: serverAddress() }).then((connection) => new Client({ connection, namespace: 'default' }));
  return clientPromise;
}

export async function closeTestClient(): Promise<void> {
  if (clientPromise) await (await clientPromise).connection.close();
  clientPromise = undefined;
}

export const ACTIONS: readonly AnyAction[] = [...BUILTIN_ACTIONS, ...TEST_ACTIONS];

/** Groups for tests: oncall = alice, bob, carol; dba = dave, erin. */
export const TEST_PEOPLE = path.join(__dirname, '..', 'fixtures', 'people.yaml');

/**
 * What test workers admit: every runbook the tests compile with `compile()` (as a worker admits
 * every runbook in its folders). Tests of admission itself compile with `compileUnadmitted()`.
 */
export const TEST_ADMISSION = new Admission();

/** An admission that serves the runbook files in these folders, compiled as the worker compiles them. */
export function servingFolders(...dirs: string[]): Admission {
  const admission = new Admission();
  admission.serve(loadRunbookDirs(dirs, catalogOf(ACTIONS)).runbooks, dirs);
  return admission;
}

export interface WorkerOptionsForTest {
  admission?: Admission;
  actions?: readonly AnyAction[];
  activities?: Record<string, (...args: never[]) => Promise<unknown>>;
  claude?: ClaudeConfig;
  /** The people file and signature policy; default the test fixture, signatures as the runbook says. */
  people?: PeoplePolicy;
  fleetPolicy?: FleetPolicy;
}

export const TEST_FLEET_POLICY: FleetPolicy = { budgets: [], watchEveryMs: 1_000 };

/** Tests never reach a real model unless they say so: no key, no model. */
const NO_MODEL: ClaudeConfig = { defaultModel: 'claude-test', requestTimeoutMs: 10_000 };

async function testWorker(s: TemporalSettings, options: WorkerOptionsForTest) {
  quietRuntime();
  const connection = await NativeConnection.connect(s.connection);
  const { worker } = await createWorker({
    settings: s,
    actions: options.actions ?? ACTIONS,
    admission: options.admission ?? TEST_ADMISSION,
    workflowBundlePath: process.env.RUNBOOK_TEST_WORKFLOW_BUNDLE,
    connection,
    ...(options.activities && { activities: options.activities }),
    claude: options.claude ?? NO_MODEL,
    people: { file: TEST_PEOPLE, requireSignatures: false, ...options.people },
    // The governor checks its holders every second in tests (terminated runs free their slots fast).
    fleetPolicy: options.fleetPolicy ?? TEST_FLEET_POLICY,
  });
  return { worker, connection };
}

/** Runs `fn` while a worker serves a fresh task queue. */
export async function withWorker<T>(fn: (s: TemporalSettings) => Promise<T>, options: WorkerOptionsForTest = {}): Promise<T> {
  const s = settings();
  const { worker, connection } = await testWorker(s, options);
  try {
    return await worker.runUntil(fn(s));
  } finally {
    await connection.close();
  }
}

/** A worker on `s.taskQueue` until the returned function is called (for a whole test file). */
export async function startWorker(s: TemporalSettings, options: WorkerOptionsForTest = {}): Promise<() => Promise<void>> {
  const { worker, connection } = await testWorker(s, options);
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    await connection.close();
  };
}

/** Compiles YAML text and admits it for test workers; children are other runbooks by name. Throws with every diagnostic on error. */
export function compile(text: string, children: Record<string, string> = {}, actions: readonly AnyAction[] = ACTIONS): CompiledRunbook {
  const runbook = compileUnadmitted(text, children, actions);
  TEST_ADMISSION.add(runbook);
  return runbook;
}

/** Compiles YAML text without admitting it: a definition the test workers do not serve. */
export function compileUnadmitted(text: string, children: Record<string, string> = {}, actions: readonly AnyAction[] = ACTIONS): CompiledRunbook {
  const result = compileRunbook(text, 'test.yaml', {
    catalog: catalogOf(actions),
    resolve: (name) => (children[name] !== undefined ? { file: `${name}.yaml`, text: children[name]! } : undefined),
  });
  if (hasErrors(result.diagnostics) || !result.runbook) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
  return result.runbook;
}

export type Outcome = { ok: true; result: RunResult; workflowId: string } | { ok: false; reason: string; workflowId: string };

/** Starts a run and waits for its end; a failed run is an outcome, not an exception. */
export async function runToEnd(s: TemporalSettings, request: Omit<StartRequest, 'startedBy'> & { startedBy?: string }): Promise<Outcome> {
  const client = await testClient();
  const handle = await startRun(client, s.taskQueue, { startedBy: 'test', ...request });
  try {
    return { ok: true, result: await handle.result(), workflowId: handle.workflowId };
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { ok: false, reason: failureReason(err), workflowId: handle.workflowId };
    throw err;
  }
}
