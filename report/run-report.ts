// What a report says about a run: the facts read from its history (report/read-history.ts),
// rendered as Markdown or HTML.
import type { Alert } from '../dsl/alert';
import type { AdviceResult, Finding } from '../contract/activities';
import type { AuditEntry } from '../contract/run';

export interface StepLine {
  step: string;
  what: string;
  startedAt: string;
  endedAt?: string;
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'timed out' | 'running' | 'skipped';
  attempts: number;
  detail?: string;
}

export interface ModelAnswer {
  step: string;
  model: string;
  choice?: string;
  values?: Record<string, unknown>;
  reasoning: string;
  confidence: number;
  tokens: AdviceResult['usage'];
  latencyMs: number;
  calls: number;
  outcome: AdviceResult['outcome'];
  at: string;
}

/** An `investigate` step, from its model turns: the calls as the model last read them, and the finding. */
export interface Investigation {
  step: string;
  model: string;
  turns: number;
  tokens: AdviceResult['usage'];
  calls: Array<{ id: string; tool: string; input: Record<string, unknown>; reason: string; result: string; isError: boolean }>;
  /** Calls of the last turn, made after the model's last reading (the step then ran out of budget). */
  unread: Array<{ tool: string; input: Record<string, unknown>; reason: string }>;
  finding?: Finding;
}

export interface HumanAttempt extends AuditEntry {
  /** Who the Temporal server says sent it (SDK/CLI identity, or the authenticated principal). */
  identity?: string;
  comment?: string;
}

export interface Compensation {
  step: string;
  uses: string;
  outcome: StepLine['outcome'];
  detail?: string;
}

export interface RunReport {
  workflowId: string;
  runId?: string;
  /** The first execution's run id (the same across continue-as-new): signed answers name it. */
  firstRunId?: string;
  runbook: { name: string; hash: string; description?: string };
  startedBy: string;
  startedAt: string;
  endedAt?: string;
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'terminated' | 'timed out' | 'continued as new' | 'running';
  reason?: string;
  alert?: Alert;
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  timeline: StepLine[];
  modelAnswers: ModelAnswer[];
  investigations: Investigation[];
  humans: HumanAttempt[];
  compensations: Compensation[];
  /** The worker that admitted the run had no model configured, so people answered every decide and fill step. */
  noModel?: true;
  /** Signed answers re-checked against a people file (report/verify-signatures.ts), when the run has any. */
  signatures?: { peopleFile: string; verdicts: import('./verify-signatures').SignatureVerdict[] };
}
