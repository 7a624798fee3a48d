// The offline audit of signed answers (`runbook verify`, and the report's "Signatures"
// section): every signed approval, rejection and decision a run recorded, re-checked from its
// history alone against a people file, with the same code the worker used (activities/humans/
// signatures.ts). The history gives the statement and signature; this re-derives everything
// else it can from the history itself (run, step, signer, plan, time) and trusts nothing else.
import { checkAnswerSignature } from '../activities/humans/signatures';
import { loadPeopleFile } from '../activities/humans/people-file';
import { STATEMENT_PURPOSE, type AnswerStatement } from '../contract/signing';
import { isRecord } from '../dsl/values';
import type { HumanAttempt, RunReport } from './run-report';

export interface SignatureVerdict {
  at: string;
  step: string;
  action: HumanAttempt['action'];
  by: string;
  /** What the run did with the answer. */
  outcome: HumanAttempt['outcome'];
  /** `unsigned`: accepted without a signature (the step did not require one). */
  verdict: 'verified' | 'unverifiable' | 'unsigned';
  fingerprint?: string;
  keyType?: string;
  reason?: string;
}

export async function verifyAnswers(report: RunReport, peopleFile: string): Promise<SignatureVerdict[]> {
  const people = await loadPeopleFile(peopleFile);
  const verdicts: SignatureVerdict[] = [];
  for (const h of report.humans) {
    const base = { at: h.at, step: h.step, action: h.action, by: h.by, outcome: h.outcome };
    const { statement, signature } = h.signed ?? {};
    if (statement === undefined || signature === undefined) {
      // A refused unsigned attempt changed nothing; an accepted one is listed so that an auditor sees it.
      if (h.outcome === 'accepted') verdicts.push({ ...base, verdict: 'unsigned' });
      continue;
    }
    const mismatch = bindingProblem(statement, h, report);
    const check = checkAnswerSignature({ statement, signature, by: h.by }, people);
    const key = { ...(check.fingerprint && { fingerprint: check.fingerprint }), ...(check.keyType && { keyType: check.keyType }) };
    if (mismatch) verdicts.push({ ...base, verdict: 'unverifiable', reason: mismatch, ...key });
    else if (!check.ok) verdicts.push({ ...base, verdict: 'unverifiable', reason: check.reason, ...key });
    else verdicts.push({ ...base, verdict: 'verified', ...key });
  }
  return verdicts;
}

/** Why the signed statement does not describe this answer in this run, or undefined. */
function bindingProblem(text: string, h: HumanAttempt, report: RunReport): string | undefined {
  let s: AnswerStatement;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed) || parsed.purpose !== STATEMENT_PURPOSE) return 'the recorded statement is not a runbook answer';
    s = parsed as unknown as AnswerStatement;
  } catch {
    return 'the recorded statement is not JSON';
  }
  if (s.workflowId !== report.workflowId) return `signed for workflow ${s.workflowId}, not ${report.workflowId}`;
  if (report.firstRunId && s.firstRunId !== report.firstRunId) return `signed for run ${s.firstRunId}, not ${report.firstRunId}`;
  if (s.step !== h.step) return `signed for step ${s.step}, not ${h.step}`;
  if (s.by !== h.by) return `signed as ${s.by}, recorded as ${h.by}`;
  if (h.planHash !== undefined && h.action === 'approve' && s.plan !== h.planHash)
    return `signed plan ${s.plan.slice(0, 12)}, approved plan ${h.planHash.slice(0, 12)}`;
  if (!(Date.parse(s.expires) > Date.parse(h.at))) return `the signature had expired (${s.expires}) when the run received it (${h.at})`;
  return undefined;
}

export function formatVerdicts(verdicts: SignatureVerdict[]): string[] {
  if (verdicts.length === 0) return ['no approvals or decisions recorded'];
  return verdicts.map((v) => {
    const what = `${v.at}  ${v.action} ${v.step} by ${v.by} (${v.outcome})`;
    if (v.verdict === 'verified') return `${what}: verified, ${v.keyType} key ${v.fingerprint}`;
    if (v.verdict === 'unsigned') return `${what}: unsigned`;
    return `${what}: UNVERIFIABLE: ${v.reason}${v.fingerprint ? ` (key ${v.fingerprint})` : ''}`;
  });
}
