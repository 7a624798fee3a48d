// A deliberately incompatible interpreter, for tests only: once the run is admitted, it starts a
// timer before running the runbook, so replaying any real history against it must fail with a
// non-determinism error about that timer.
import { sleep } from '@temporalio/workflow';
import { admitRunbook } from '../../workflows/admission';
import { runbookV4 as current } from '../../workflows/runbook-workflow';
import type { RunInput, RunResult } from '../../contract/run';

export async function runbookV4(input: RunInput): Promise<RunResult> {
  await admitRunbook(input.runbook);
  await sleep(1);
  return current(input);
}
