// Before a run does anything: is this a definition the worker serves? The hash is recomputed
// from the definition itself (the field could say anything), then the worker's admission
// list answers.
import { ApplicationFailure, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CompiledRunbook } from '../dsl/compiled';
import { recomputeHash } from '../dsl/definition-hash';
import type { AdmissionActivities } from '../contract/activities';
import { labelText } from '../contract/labels';
import { REMEDIATION_STATUS, RUNBOOK_HASH, RUNBOOK_NAME } from '../contract/search-attributes';

/** Gates admission in the version-1 workflow type, whose older histories have none. */
export const ADMISSION_PATCH = 'admission-v1';

const { checkAdmission } = proxyLocalActivities<AdmissionActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3 },
  summary: labelText({ kind: 'admission' }),
});

/**
 * Throws a non-retryable `NotAdmitted` failure when the run must not start. Returns whether the
 * admitting worker has a model to ask (verdicts recorded before it said so mean it has).
 */
export async function admitRunbook(runbook: CompiledRunbook): Promise<{ model: boolean }> {
  const hash = recomputeHash(runbook);
  if (hash !== runbook.hash) {
    refuse(
      runbook,
      hash,
      `the definition of runbook \`${runbook.name}\` does not match its hash (it says ${runbook.hash.slice(0, 12)}, its content is ${hash.slice(0, 12)}): it was changed after compilation`,
    );
  }
  const verdict = await checkAdmission({ name: runbook.name, hash });
  if (!verdict.admitted) refuse(runbook, hash, verdict.reason);
  correctStarterAttributes(runbook);
  return { model: verdict.model !== false };
}

function refuse(runbook: CompiledRunbook, hash: string, reason: string): never {
  // The starter chose the search attributes; a refused run shows what it really was.
  upsertSearchAttributes([
    { key: RUNBOOK_NAME, value: runbook.name },
    { key: RUNBOOK_HASH, value: hash },
    { key: REMEDIATION_STATUS, value: 'not-admitted' },
  ]);
  throw ApplicationFailure.create({ type: 'NotAdmitted', message: `not admitted: ${reason}`, nonRetryable: true });
}

/** Search attributes set by whoever started the run are corrected when they misname the runbook. */
function correctStarterAttributes(runbook: CompiledRunbook): void {
  const attributes = workflowInfo().typedSearchAttributes;
  const name = attributes.get(RUNBOOK_NAME);
  const hash = attributes.get(RUNBOOK_HASH);
  if (name === undefined || (name === runbook.name && hash === runbook.hash)) return;
  upsertSearchAttributes([
    { key: RUNBOOK_NAME, value: runbook.name },
    { key: RUNBOOK_HASH, value: runbook.hash },
  ]);
}
