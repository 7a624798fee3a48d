// One time-skipping Temporal test server and one scripted worker, shared by every scenario of a
// `runbook test` invocation. The server is Temporal's own test server (installed pinned by
// scripts/install-temporal.sh); the worker runs the production workflow code.
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { Admission } from '../activities/admission/admission';
import type { ClaudeActivities } from '../contract/activities';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';
import type { ActionCatalog } from '../dsl/catalog';
import type { CompiledRunbook } from '../dsl/compiled';
import { findTestServerBinary } from '../temporal/binary';
import { StopOnInterrupt } from './interrupt';
import { addSearchAttributes } from '../temporal/search-attribute-setup';
import { dataConverter } from '../temporal/codec';
import { scenarioBundlePath } from './bundle';
import { ServerTime } from './server-time';
import { ScenarioRegistry, scriptedActivities } from './scripted-activities';
import type { SessionHost } from './session';

export interface EnvironmentOptions {
  catalog: ActionCatalog;
  peopleFile: string;
  liveModel?: ClaudeActivities;
}

export class ScenarioEnvironment {
  private constructor(
    private readonly env: TestWorkflowEnvironment,
    private readonly interrupt: StopOnInterrupt,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    readonly host: SessionHost,
  ) {}

  /** Starts the server and a worker that admits exactly these runbooks (and their children). */
  static async start(runbooks: readonly CompiledRunbook[], options: EnvironmentOptions): Promise<ScenarioEnvironment> {
    const binary = findTestServerBinary();
    const interrupt = new StopOnInterrupt();
    let env: TestWorkflowEnvironment;
    try {
      env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: binary } } });
      interrupt.adopt(env);
    } catch (err) {
      interrupt.release();
      interrupt.exitIfInterrupted();
      throw new Error(`could not start the Temporal test server (${binary}): ${(err as Error).message}`, { cause: err });
    }
    try {
      const converter = dataConverter();
      const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', ...(converter && { dataConverter: converter }) });
      await addSearchAttributes(client, client.options.namespace, SEARCH_ATTRIBUTES);
      const admission = new Admission();
      runbooks.forEach((r) => admission.add(r));
      const registry = new ScenarioRegistry(client);
      const time = new ServerTime(env.connection.testService!);
      const taskQueue = `runbook-test-${randomUUID()}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: client.options.namespace,
        taskQueue,
        workflowBundle: { codePath: await scenarioBundlePath() },
        activities: scriptedActivities({
          registry,
          catalog: options.catalog,
          admission,
          peopleFile: options.peopleFile,
          holdTime: () => time.hold(),
          ...(options.liveModel && { liveModel: options.liveModel }),
        }),
        ...(converter && { dataConverter: converter }),
        // Cancellation reaches a waiting scripted activity in its heartbeat's answer.
        maxHeartbeatThrottleInterval: '20ms',
        defaultHeartbeatThrottleInterval: '20ms',
      });
      const running = worker.run();
      await time.start();
      const host: SessionHost = { client, taskQueue, time, register: (s) => registry.register(s) };
      return new ScenarioEnvironment(env, interrupt, worker, running, host);
    } catch (err) {
      interrupt.release();
      await env.teardown();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.interrupt.release();
    this.worker.shutdown();
    await this.running;
    await this.env.teardown();
  }
}
