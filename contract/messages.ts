// Queries, signals and updates of the runbook workflow. Clients (CLI, API, receiver) import
// these definitions; the workflow registers every handler at start, with descriptions, so the
// Web UI's "Send a Signal" dialog lists them. The same request can be sent as a signal (the
// UI) or as an update (CLI and API callers get an immediate acceptance or a refusal).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { StatusView } from './run';

export const statusQuery = defineQuery<StatusView>('status');

/** What makes an answer provable (docs/approvals.md): both, or neither. `runbook sign` prints them. */
export interface SignedFields {
  /** Set by the receiver when the answer is a Slack button click: the Slack user id (the answer is recorded `via: slack`). */
  slackUser?: string;
  /** ISO time after which the signature is refused; it is part of what is signed. */
  expires?: string;
  /** The SSH signature (`ssh-keygen -Y sign -n runbook-approval`) of the answer's statement (contract/signing.ts), armored or its base64 body. */
  signature?: string;
}

export interface ApproveRequest extends SignedFields {
  /** The approve step. */
  step: string;
  /** The hash of the plan you approve, as the status query shows it. */
  planHash: string;
  /** Who approves. */
  by: string;
  comment?: string;
}

export interface RejectRequest extends SignedFields {
  step: string;
  by: string;
  reason: string;
}

export interface DecideRequest extends SignedFields {
  /** The decide or fill step. */
  step: string;
  by: string;
  /** For a decide step: one of its choices. */
  choice?: string;
  /** For a fill step: values that satisfy its schema. */
  values?: Record<string, unknown>;
  comment?: string;
}

export interface HumanReply {
  step: string;
  /** What happened, in words, e.g. "approval 1 of 2 recorded". */
  message: string;
}

export interface AlertResolvedRequest {
  /** When the source says the alert resolved. */
  at?: string;
}

export const approveSignal = defineSignal<[ApproveRequest]>('approve');
export const rejectSignal = defineSignal<[RejectRequest]>('reject');
export const decideSignal = defineSignal<[DecideRequest]>('decide');
export const approveUpdate = defineUpdate<HumanReply, [ApproveRequest]>('approve');
export const rejectUpdate = defineUpdate<HumanReply, [RejectRequest]>('reject');
export const decideUpdate = defineUpdate<HumanReply, [DecideRequest]>('decide');
export const alertResolvedSignal = defineSignal<[AlertResolvedRequest]>('alertResolved');

export const HANDLER_DESCRIPTIONS = {
  approve:
    'Approve the plan of a waiting approve step. JSON: {"step": "<approve step id>", "planHash": "<from the status query>", "by": "<your name>", "comment": "<optional>"}; a signed step also needs "expires" and "signature" (paste the whole payload `runbook sign` prints)',
  reject:
    'Reject a waiting approve step. JSON: {"step": "<approve step id>", "by": "<your name>", "reason": "<why>"}; a signed step also needs "expires" and "signature" (`runbook sign --reject`)',
  decide:
    'Decide for a waiting decide or fill step. JSON: {"step": "<step id>", "by": "<your name>", "choice": "<a choice>"} or {"step": ..., "by": ..., "values": {...}}; a signed step also needs "expires" and "signature" (`runbook sign --choice`)',
  alertResolved: 'The alert that started this run has resolved (sent by the alert receiver).',
  status: 'Where the run stands: current steps, outputs, pending approvals and decisions, the audit trail.',
};
