// Every recorded history in test/replay/histories/<workflow type> is replayed against the current
// workflow code: the current version's and every older version's still registered. A change of
// the interpreter that would break runs in flight (non-determinism) fails here; such a change
// comes as a new workflow version (docs/extending.md). Record with RECORD_REPLAY_CORPUS=1.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { readHistoryFile } from '../../cli/histories';
import type { RunInput } from '../../contract/run';
import { readHistory } from '../../report/read-history';
import { CORPUS } from '../helpers/replay';
import { quietRuntime } from '../helpers/temporal';

const versions = readdirSync(CORPUS).sort();
const files = versions.flatMap((version) =>
  readdirSync(path.join(CORPUS, version))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(version, f)),
);

it.each(versions)('has a history of %s for every construct', (version) => {
  const constructs = [
    'retry',
    'timeout',
    'if-skip',
    'next-ok',
    'end-failure',
    'on-failure',
    'max-visits',
    'poll',
    'wait',
    'parallel',
    'parallel-fail-fast',
    'foreach',
    'foreach-fail',
    'child',
    'compensate-on-failure',
    'compensate-on-cancel',
    'visibility',
    'decide',
    'decide-human-low-confidence',
    'decide-retry-529',
    'fill-human',
    'approve-two-of-three',
    'approve-timeout',
    'approve-reject',
  ];
  expect(constructs.filter((c) => !files.includes(path.join(version, `${c}.json`)))).toEqual([]);
});

it.each(files)('replays %s deterministically', async (file) => {
  quietRuntime();
  const { workflowId, history } = readHistoryFile(path.join(CORPUS, file));
  await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.RUNBOOK_TEST_WORKFLOW_BUNDLE! }, replayName: file }, history, workflowId);
});

it.each(files)('reports %s from history alone, every timeline line tied to a step of its runbook', async (file) => {
  const { workflowId, history } = readHistoryFile(path.join(CORPUS, file));
  const report = await readHistory(history, workflowId);
  const input = defaultPayloadConverter.fromPayload(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]! as Payload) as RunInput;
  const steps = Object.keys(input.runbook.steps);
  expect(report.timeline.map((l) => l.step).filter((s) => !steps.includes(s))).toEqual([]);
  expect(report.compensations.map((c) => c.step).filter((s) => !steps.includes(s))).toEqual([]);
});
