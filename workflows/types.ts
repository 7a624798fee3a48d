// The workflow's input, result and the state it shows through the `status` query.
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';

export interface RunOptions {
  /** Continue-as-new once history has this many events (default: when Temporal suggests it). */
  continueAsNewAfterEvents?: number;
  /** Tokens the model may spend in this run, decisions and fills together. */
  tokenBudget?: number;
}

export interface RunInput {
  runbook: CompiledRunbook;
  inputs: Record<string, unknown>;
  alert?: Alert;
  /** Who or what started the run: a person (`alice`) or a system (`alertmanager`). */
  startedBy: string;
  options?: RunOptions;
  /** Set by continue-as-new: where the previous run stopped. */
  resume?: ResumeState;
}

export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface StepRecord {
  id: string;
  status: StepStatus;
  outputs?: unknown;
  error?: string;
  startedAt: string;
  endedAt?: string;
}

export interface CompensationRecord {
  stepId: string;
  uses: string;
  status: 'pending' | 'succeeded' | 'failed';
  error?: string;
}

export type RemediationStatus = 'running' | 'awaiting-approval' | 'awaiting-decision' | 'compensating' | 'succeeded' | 'failed' | 'cancelled';

export interface PendingCompensation {
  stepId: string;
  description?: string;
  uses: string;
  with: Record<string, unknown>;
  timeoutMs: number;
  retry: import('../dsl/compiled').RetryPolicyJson;
}

export interface ResumeState {
  at: string;
  steps: Record<string, StepRecord>;
  visits: Record<string, number>;
  executed: number;
  compensations: PendingCompensation[];
  poll?: { polls: number; startedAt: number };
  alertStatus?: Alert['status'];
  tokensUsed: number;
  continuedRuns: number;
}

export interface RunResult {
  status: 'succeeded';
  runbook: string;
  hash: string;
  outputs: Record<string, unknown>;
  /** How each step ended; their outputs are already in history once, with their activities. */
  steps: Record<string, Omit<StepRecord, 'outputs'>>;
}

export interface StatusView {
  runbook: string;
  hash: string;
  status: RemediationStatus;
  startedBy: string;
  current: string[];
  steps: Record<string, StepRecord>;
  compensations: CompensationRecord[];
}
