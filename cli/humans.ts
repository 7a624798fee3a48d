// `runbook pending`, `approve`, `reject`, `decide` and `status`: the operator's side of
// approvals and decisions. Approve/reject/decide are sent as updates, so the operator sees at
// once whether the run accepted them, and why not.
import { userInfo } from 'node:os';
import { isGrpcDeadlineError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  approveUpdate,
  decideUpdate,
  rejectUpdate,
  statusQuery,
  type ApproveRequest,
  type DecideRequest,
  type HumanReply,
  type RejectRequest,
} from '../contract/messages';
import { signAnswer, type SignOptions } from './signing';
import { answerCommands, answerTemplate } from '../contract/answer-template';
import type { Pending, StatusView } from '../contract/run';
import { runUrl } from '../contract/urls';

export const whoAmI = (as?: string): string => as ?? process.env.RUNBOOK_USER ?? userInfo().username;

export type PendingRun = { workflowId: string; status: StatusView } | { workflowId: string; unreadable: string };

/** How long `pending` waits for a run's status: a run no worker answers for must not stall the list. */
const STATUS_DEADLINE_MS = 5_000;

/**
 * Runs waiting for a human, found through a visibility query, with what each waits for. A run
 * whose status cannot be read is listed with the reason, never silently left out.
 */
export async function pendingRuns(client: Client): Promise<PendingRun[]> {
  // Runs parked by a fleet guard or a pause are listed too: a person's resume or a freed key moves them.
  const query = 'ExecutionStatus = "Running" AND RemediationStatus IN ("awaiting-approval", "awaiting-decision", "paused", "queued")';
  const listed: Array<{ workflowId: string; runId: string }> = [];
  for await (const w of client.workflow.list({ query })) listed.push({ workflowId: w.workflowId, runId: w.runId });
  const read = await Promise.all(
    listed.map(async ({ workflowId, runId }): Promise<PendingRun | undefined> => {
      try {
        const status = await client.withDeadline(Date.now() + STATUS_DEADLINE_MS, () => client.workflow.getHandle(workflowId, runId).query(statusQuery));
        return status.pending.length > 0 || status.guard ? { workflowId, status } : undefined;
      } catch (err) {
        // Closed between the list and the query: nothing to act on now.
        if (err instanceof WorkflowNotFoundError || /workflow execution already completed/i.test((err as Error).message)) return undefined;
        return {
          workflowId,
          unreadable: isGrpcDeadlineError(err) ? `no worker answered its status query within ${STATUS_DEADLINE_MS / 1000} s` : (err as Error).message,
        };
      }
    }),
  );
  return read.filter((r): r is PendingRun => r !== undefined);
}

export function formatPendingRun(run: PendingRun, namespace: string): string[] {
  if ('unreadable' in run)
    return [`${run.workflowId}  waits for a person, but its status cannot be read: ${run.unreadable}`, `  ${runUrl(namespace, run.workflowId)}`];
  return formatPending(run.workflowId, namespace, run.status);
}

export function formatPending(workflowId: string, namespace: string, status: StatusView): string[] {
  const lines = [`${workflowId}  ${status.runbook} (${status.hash.slice(0, 12)})  started by ${status.startedBy}`, `  ${runUrl(namespace, workflowId)}`];
  for (const p of status.pending) lines.push(...formatOne(p), ...howToAnswer(workflowId, p));
  if (status.guard) lines.push(`  ${status.guard.state} at step ${status.guard.step} since ${status.guard.since}: ${status.guard.reason}`);
  return lines;
}

/** The commands that answer, and the signal payload for the Web UI (the run's page shows the same). */
function howToAnswer(workflowId: string, p: Pending): string[] {
  const template = answerTemplate(p);
  return [
    ...answerCommands(workflowId, p).map((c) => `    $ ${c}`),
    p.signed
      ? `    Web UI: signal \`${template.name}\` with the JSON \`runbook sign ${workflowId} --step ${p.step}\` prints`
      : `    Web UI: signal \`${template.name}\` ${JSON.stringify(template.payload)}`,
  ];
}

function formatOne(p: Pending): string[] {
  if (p.kind === 'approval') {
    const done = p.approvals.map((a) => a.by).join(', ') || 'none yet';
    return [
      `  approve step ${p.step}: ${p.approvals.length} of ${p.minApprovals} approvals (${done}); approvers ${p.approvers.join(', ')}${p.approvers.some((a) => a.startsWith('group:')) ? ` (${p.eligible.join(', ')})` : ''}${p.allowRequester ? '' : '; not the requester'}${p.signed ? '; signed answers only (--sign)' : ''}; until ${p.deadline}`,
      `    plan ${p.planHash}`,
      ...JSON.stringify(p.plan, null, 2)
        .split('\n')
        .map((l) => `    ${l}`),
    ];
  }
  const lines = [
    `  ${p.decision} step ${p.step}: ${p.why}; ${p.eligible.length ? `deciders ${p.eligible.join(', ')}` : 'anyone may decide'}${p.signed ? '; signed answers only (--sign)' : ''}; until ${p.deadline}`,
    `    question: ${p.prompt}`,
  ];
  if (p.choices) lines.push(...p.choices.map((c) => `    - ${c.name}: ${c.when}`));
  if (p.schema) lines.push(`    schema: ${JSON.stringify(p.schema)}`);
  if (p.suggestion)
    lines.push(
      `    Claude suggests ${p.suggestion.choice ?? JSON.stringify(p.suggestion.values)} (confidence ${p.suggestion.confidence}): ${p.suggestion.reasoning}`,
    );
  return lines;
}

/** An answer from the command line, as the run's update takes it. */
export type CliAnswer =
  | { action: 'approve'; step: string; as?: string; comment?: string; planHash?: string }
  | { action: 'reject'; step: string; as?: string; reason: string }
  | { action: 'decide'; step: string; as?: string; comment?: string; choice?: string; values?: Record<string, unknown> };

type AnswerRequest = ApproveRequest | RejectRequest | DecideRequest;

/**
 * The request an answer sends: the plan waiting now when an approval names none, and the
 * signature when asked for (which needs the wait's details from the run's status).
 */
export async function answerRequest(client: Client, workflowId: string, answer: CliAnswer, sign?: SignOptions): Promise<AnswerRequest> {
  const needsStatus = sign !== undefined || (answer.action === 'approve' && !answer.planHash);
  const status = needsStatus ? await client.workflow.getHandle(workflowId).query(statusQuery) : undefined;
  const by = whoAmI(answer.as);
  // The run records texts trimmed; the signature covers what it records.
  const note = (answer.action === 'reject' ? answer.reason : answer.comment)?.trim();
  let request: AnswerRequest;
  if (answer.action === 'approve') {
    let planHash = answer.planHash;
    if (!planHash) {
      const pending = status!.pending.find((p) => p.step === answer.step && p.kind === 'approval');
      if (!pending || pending.kind !== 'approval') throw new Error(`step ${answer.step} of ${workflowId} is not waiting for approval`);
      planHash = pending.planHash;
    }
    request = { step: answer.step, planHash, by, ...(note && { comment: note }) };
  } else if (answer.action === 'reject') {
    request = { step: answer.step, by, reason: note ?? '' };
  } else {
    request = {
      step: answer.step,
      by,
      ...(answer.choice !== undefined && { choice: answer.choice }),
      ...(answer.values && { values: answer.values }),
      ...(note && { comment: note }),
    };
  }
  if (!sign) return request;
  const signed = await signAnswer(
    workflowId,
    status!,
    {
      step: answer.step,
      action: answer.action,
      by,
      ...(answer.action === 'decide' && answer.choice !== undefined && { choice: answer.choice }),
      ...(answer.action === 'decide' && answer.values && { values: answer.values }),
      ...(note && { note }),
    },
    sign,
  );
  return { ...request, ...signed };
}

/** Sends the answer as an update; the run's reply, or its refusal as an error. */
export async function answerRun(
  client: Client,
  workflowId: string,
  answer: CliAnswer,
  sign?: SignOptions,
): Promise<{ reply: HumanReply; request: AnswerRequest }> {
  const request = await answerRequest(client, workflowId, answer, sign);
  const handle = client.workflow.getHandle(workflowId);
  const reply =
    answer.action === 'approve'
      ? await handle.executeUpdate(approveUpdate, { args: [request as ApproveRequest] })
      : answer.action === 'reject'
        ? await handle.executeUpdate(rejectUpdate, { args: [request as RejectRequest] })
        : await handle.executeUpdate(decideUpdate, { args: [request as DecideRequest] });
  return { reply, request };
}

/** The run's refusal, in its own words, from the update failure. */
export function refusal(err: unknown): string {
  const e = err as { cause?: { message?: string }; message?: string };
  return e.cause?.message ?? e.message ?? String(err);
}
