// What a person signs when they answer a run: one canonical statement naming the run, the
// step, the wait, the plan, the answer, the signer and an expiry, so that a signature cannot be
// moved to another run, step, plan or answer. OpenSSH (`ssh-keygen -Y sign`) signs its exact
// bytes under SIGNATURE_NAMESPACE. Pure: the workflow, the worker's check, the CLI that signs
// and `runbook verify` all build the statement here.
import { canonicalJson, hashValue, sha256Hex } from '../dsl/hash';

/** The SSHSIG namespace: a signature made for anything else (a Git commit, a file) is refused. */
export const SIGNATURE_NAMESPACE = 'runbook-approval';
export const STATEMENT_PURPOSE = 'runbook-answer/1';

export interface AnswerStatement {
  purpose: typeof STATEMENT_PURPOSE;
  workflowId: string;
  /** The run's first execution: the same across continue-as-new, different on a later run with the same workflow id. */
  firstRunId: string;
  step: string;
  /** When the run started waiting: a step visited again asks again, and needs a new signature. */
  requestedAt: string;
  /** The plan hash of an approval; the question hash of a decision (questionHash below). */
  plan: string;
  /** `approve`, `reject`, `choice:<name>` or `values:<sha256 of the values' canonical JSON>`. */
  answer: string;
  /** `sha256:<hex>` of the comment or rejection reason, or empty when there is none. */
  note: string;
  by: string;
  /** ISO time after which the run refuses the signature. */
  expires: string;
}

/** The fields of an answer that the statement covers. */
export interface SignedAnswer {
  action: 'approve' | 'reject' | 'decide';
  by: string;
  choice?: string;
  values?: Record<string, unknown>;
  /** The comment (approve, decide) or the reason (reject), as the run records it: trimmed. */
  note?: string;
  expires: string;
}

/** The wait an answer is for, as the run's status shows it. */
export interface SignedWait {
  workflowId: string;
  firstRunId: string;
  step: string;
  requestedAt: string;
  plan: string;
}

export function answerStatement(wait: SignedWait, answer: SignedAnswer): AnswerStatement {
  return {
    purpose: STATEMENT_PURPOSE,
    workflowId: wait.workflowId,
    firstRunId: wait.firstRunId,
    step: wait.step,
    requestedAt: wait.requestedAt,
    plan: wait.plan,
    answer: answerText(answer),
    note: answer.note ? `sha256:${sha256Hex(answer.note)}` : '',
    by: answer.by,
    expires: answer.expires,
  };
}

/** The exact bytes signed: canonical JSON, no trailing newline. */
export function statementText(statement: AnswerStatement): string {
  return canonicalJson(statement);
}

function answerText(answer: SignedAnswer): string {
  if (answer.action !== 'decide') return answer.action;
  if (answer.choice !== undefined) return `choice:${answer.choice}`;
  return `values:${hashValue(answer.values ?? {})}`;
}

/** What a decision asks, hashed: a signed decision names the question it answers. */
export function questionHash(question: { decision: string; prompt: string; choices?: unknown; schema?: unknown }): string {
  return hashValue({ decision: question.decision, prompt: question.prompt, choices: question.choices ?? null, schema: question.schema ?? null });
}

/** The verdict on one signature; `fingerprint` names the key whenever the signature could be read. */
export type SignatureCheck = { ok: true; fingerprint: string; keyType: string } | { ok: false; reason: string; fingerprint?: string; keyType?: string };

export interface SignatureCheckRequest {
  /** The statement text the run expects the signature to cover. */
  statement: string;
  /** The armored SSHSIG (`-----BEGIN SSH SIGNATURE-----`…) or its base64 body. */
  signature: string;
  /** Who the answer claims to be: the key must be listed for this person. */
  by: string;
  /** A click relayed by the receiver's Slack bridge: its key may sign for the person whose Slack id this is, where the people file trusts it. */
  slack?: { user: string; runbook: string; step: string };
}
