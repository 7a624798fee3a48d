// Replaying a run's history against the current workflow code, and keeping it in the corpus
// (test/replay/histories/<workflow type>) that CI replays on every run. Record with
// RECORD_REPLAY_CORPUS=1: histories of the current version go beside those of the older ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { historyJson } from '../../cli/histories';
import { RUNBOOK_WORKFLOW_TYPE } from '../../temporal/start-run';
import { compile, quietRuntime, runToEnd, testClient, withWorker, type Outcome } from './temporal';

export const CORPUS = path.join(__dirname, '..', 'replay', 'histories');
const CURRENT = path.join(CORPUS, RUNBOOK_WORKFLOW_TYPE);

export async function expectReplays(handle: WorkflowHandle, name: string): Promise<void> {
  quietRuntime();
  const history = await handle.fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.RUNBOOK_TEST_WORKFLOW_BUNDLE! }, replayName: name }, history, handle.workflowId);
  if (process.env.RECORD_REPLAY_CORPUS) {
    mkdirSync(CURRENT, { recursive: true });
    // The workflow id is kept beside the history: child workflow ids derive from it.
    const entry = `{"workflowId":${JSON.stringify(handle.workflowId)},"history":${historyJson(history)}}\n`;
    writeFileSync(path.join(CURRENT, `${name}.json`), entry);
  }
}

/** Compiles and runs a runbook on a fresh worker, replays its history, and keeps it in the corpus as `name`. */
export async function runAndReplay(name: string, yaml: string, inputs: Record<string, unknown> = {}): Promise<Outcome> {
  const runbook = compile(yaml);
  const outcome = await withWorker((s) => runToEnd(s, { runbook, inputs }));
  await expectReplays((await testClient()).workflow.getHandle(outcome.workflowId), name);
  return outcome;
}
