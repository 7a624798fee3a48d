// The compiled runbook: the workflow's input, so history holds the exact definition that ran.
// Plain JSON only. Durations are milliseconds, routes are resolved, defaults are applied.
import type { InputDoc, SecretDoc, TriggerDoc } from './schema';

export const COMPILED_FORMAT = 1;

/** A step id, or one of the words that end the run. */
export type Route = string;
export const FAIL = 'fail';
export const SUCCEED = 'succeed';
export const ROUTE_WORDS: readonly string[] = [FAIL, SUCCEED];

export interface RetryPolicyJson {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  nonRetryableErrorTypes: string[];
}

export interface StepBase {
  id: string;
  description?: string;
  /** `file:line:col` of the step in its runbook, for run-time errors. */
  loc: string;
  if?: string | boolean;
  /** Where to go after success: a step id in the same block, a route word, or null for the end of the block. */
  next: Route | null;
  /** The step below this one in its block: where a step skipped by its `if` goes on. */
  following: string | null;
  end?: 'success' | 'failure';
  reason?: string;
  onFailure?: Route;
  maxVisits?: number;
}

export interface CompensateStep {
  description?: string;
  uses: string;
  with: Record<string, unknown>;
  /** The secrets `with` names; the only ones its activity may resolve. */
  secrets?: string[];
  timeoutMs: number;
  retry: RetryPolicyJson;
}

export interface ActionStep extends StepBase {
  kind: 'action';
  uses: string;
  with: Record<string, unknown>;
  /** The secrets `with` names; the only ones its activity may resolve. */
  secrets?: string[];
  timeoutMs: number;
  retry: RetryPolicyJson;
  poll?: { until: string; everyMs: number; withinMs?: number; maxPolls?: number };
  compensate?: CompensateStep;
}

export interface WaitStep extends StepBase {
  kind: 'wait';
  durationMs: number;
}

export interface ParallelStep extends StepBase {
  kind: 'parallel';
  branches: string[];
}

export interface ForeachStep extends StepBase {
  kind: 'foreach';
  items: string;
  as: string;
  concurrency: number;
  maxItems: number;
  /** First step of the body. */
  body: string;
}

export interface ChildStep extends StepBase {
  kind: 'runbook';
  runbook: string;
  with: Record<string, unknown>;
  timeoutMs?: number;
  compensate?: CompensateStep;
}

export interface HumanFallback {
  deciders: string[];
  timeoutMs: number;
  onTimeout: Route;
}

export interface AdvisorStepBase extends StepBase {
  prompt: string;
  evidence: string[];
  model?: string;
  minConfidence: number;
  human: HumanFallback;
  timeoutMs: number;
  retry: RetryPolicyJson;
}

export interface DecideStep extends AdvisorStepBase {
  kind: 'decide';
  choices: Record<string, { when: string; next: Route | null }>;
}

export interface FillStep extends AdvisorStepBase {
  kind: 'fill';
  schema: Record<string, unknown>;
}

export interface ApproveStep extends StepBase {
  kind: 'approve';
  /** The step whose rendered plan is approved: the step the approval leads to. */
  guards: string;
  approvers: string[];
  minApprovals: number;
  allowRequester: boolean;
  timeoutMs: number;
  onTimeout: Route;
  onReject: Route;
}

export interface EndStep extends StepBase {
  kind: 'end';
}

export type CompiledStep = ActionStep | WaitStep | ParallelStep | ForeachStep | ChildStep | DecideStep | FillStep | ApproveStep | EndStep;
export type StepKind = CompiledStep['kind'];

export interface CompiledRunbook {
  format: typeof COMPILED_FORMAT;
  name: string;
  description?: string;
  /** sha256 of the definition (positions and comments excluded), hex. */
  hash: string;
  /** Where it was loaded from, for messages only. */
  file: string;
  triggers: TriggerDoc[];
  inputs: Record<string, InputDoc>;
  secrets: Record<string, SecretDoc>;
  onResolved: 'continue' | 'stop';
  model?: string;
  /** First top-level step. */
  entry: string;
  steps: Record<string, CompiledStep>;
  outputs: Record<string, unknown>;
  children: Record<string, CompiledRunbook>;
}
