// Every recorded history in test/replay/histories is replayed against the current workflow
// code. A change of the interpreter that would break runs in flight (non-determinism) fails
// here; guard such changes with patched(). Record new histories with RECORD_REPLAY_CORPUS=1.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { readHistoryFile } from '../../cli/histories';
import { CORPUS } from '../helpers/replay';
import { quietRuntime } from '../helpers/temporal';

const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.json'))
  .sort();

it('has a history for every construct', () => {
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
  expect(constructs.filter((c) => !files.includes(`${c}.json`))).toEqual([]);
});

it.each(files)('replays %s deterministically', async (file) => {
  quietRuntime();
  const { workflowId, history } = readHistoryFile(path.join(CORPUS, file));
  await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.RUNBOOK_TEST_WORKFLOW_BUNDLE! }, replayName: file }, history, workflowId);
});
