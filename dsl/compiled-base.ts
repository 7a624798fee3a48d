// What every compiled step shares, and the shapes several kinds reuse (retries, compensation,
// a person's fallback). The kinds' own compiled forms live with their descriptors (dsl/kinds/).

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
  /** `when: attempted`: the undo is also owed when the step failed or was cancelled after it ran. */
  afterFailure?: true;
}

export interface HumanFallback {
  deciders: string[];
  timeoutMs: number;
  onTimeout: Route;
  /** The person's answer must carry their SSH signature (contract/signing.ts). */
  signed?: true;
  /** When to remind and whom to escalate to, if the step says (otherwise the people file's defaults). */
  reminders?: import('./schema-parts').Reminders;
}
