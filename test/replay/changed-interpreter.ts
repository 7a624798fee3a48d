// A deliberately incompatible interpreter, for tests only: it starts a timer before running the
// runbook, so replaying any real history against it must fail with a non-determinism error.
import { sleep } from '@temporalio/workflow';
import { runbookWorkflow as current } from '../../workflows/runbook-workflow';
import type { RunInput, RunResult } from '../../workflows/types';

export async function runbookWorkflow(input: RunInput): Promise<RunResult> {
  await sleep(1);
  return current(input);
}
