// The workflow's input, result and the state it shows through the `status` query.
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';
import type { CallRecord } from '../dsl/kinds/investigate';

export interface RunOptions {
  /** Continue-as-new once history has this many events (default: when Temporal suggests it). */
  continueAsNewAfterEvents?: number;
  /** Tokens the model may spend in this run, decisions and fills together. */
  tokenBudget?: number;
  /** The fleet whose guards this run obeys (its governor); default its task queue. `runbook test` gives each scenario its own. */
  fleet?: string;
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

/** One step visit, in the order visits ended: the path a run took (`runbook test` compares it). */
export interface TrailEntry {
  step: string;
  status: StepStatus;
  /** The route it took beyond going on normally, named as dsl/route-labels.ts names it: a choice, `onFailure`, `onReject`... */
  route?: string;
  /** A step inside a foreach body or a parallel branch. */
  nested?: true;
}

export interface CompensationRecord {
  stepId: string;
  uses: string;
  status: 'pending' | 'succeeded' | 'failed';
  error?: string;
}

export type RemediationStatus =
  | 'running'
  | 'awaiting-approval'
  | 'awaiting-decision'
  /** A write step waits for a fleet guard (a key at its limit or rate, a spent budget). */
  | 'queued'
  /** A write step waits because a pause covers it (`runbook pause`, a tripped breaker). */
  | 'paused'
  | 'compensating'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

export interface PendingCompensation {
  stepId: string;
  description?: string;
  uses: string;
  with: Record<string, unknown>;
  secretSites?: import('../dsl/secrets').SecretSite[];
  secrets?: string[];
  timeoutMs: number;
  retry: import('../dsl/compiled-base').RetryPolicyJson;
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
  decisions: DecisionRecord[];
  audit: AuditEntry[];
  auditDropped?: number;
  trail?: TrailEntry[];
  trailDropped?: number;
  /** The run holds its runbook's concurrency slot (fleet guards): it keeps it across continue-as-new. */
  runSlotHeld?: true;
}

export interface RunResult {
  status: 'succeeded';
  runbook: string;
  hash: string;
  outputs: Record<string, unknown>;
  /** How each step ended; their outputs are already in history once, with their activities. */
  steps: Record<string, Omit<StepRecord, 'outputs'>>;
  /** Set when the run stopped early because its alert resolved (onResolved: stop). */
  stopped?: string;
  /** Every step visit, oldest first (as the status query's `trail`). */
  trail?: TrailEntry[];
}

/** The details of a failed run's failure: the path it took and the undos that ran. */
export interface RunFailureDetails {
  trail: TrailEntry[];
  compensations: CompensationRecord[];
}

export interface StatusView {
  runbook: string;
  hash: string;
  /** The run's first execution id: a signed answer names it (contract/signing.ts). */
  firstRunId: string;
  status: RemediationStatus;
  startedBy: string;
  alertStatus?: 'firing' | 'resolved';
  current: string[];
  steps: Record<string, StepRecord>;
  /** Approvals and decisions waiting for a human now. */
  pending: Pending[];
  decisions: DecisionRecord[];
  audit: AuditEntry[];
  /** Older audit entries no longer kept in state (still in history). */
  auditDropped?: number;
  compensations: CompensationRecord[];
  tokensUsed: number;
  /** Every step visit so far, oldest first (at most MAX_TRAIL_ENTRIES; `trailDropped` counts the older ones). */
  trail: TrailEntry[];
  trailDropped?: number;
  /** A write step waiting for a fleet guard or a pause, and why. */
  guard?: GuardWait;
  /** Investigations under way: the tool calls so far (a finished one's are in its step's outputs). */
  investigating?: Array<{ step: string; calls: CallRecord[] }>;
}

export interface GuardWait {
  step: string;
  state: 'queued' | 'paused';
  reason: string;
  since: string;
}

// ---------- humans in the loop ----------

/** The exact thing an approval approves: the guarded step with its rendered parameters. */
export interface Plan {
  step: string;
  uses?: string;
  runbook?: string;
  with?: Record<string, unknown>;
  items?: unknown[];
}

export interface ApprovalVote {
  by: string;
  at: string;
  /** `slack`: a button in a Slack message, relayed by the receiver (`slackUser` names who clicked). */
  via: 'signal' | 'update' | 'slack';
  comment?: string;
  /** The fingerprint of the key that signed it, when signed: M-of-N counts distinct keys too. */
  fingerprint?: string;
}

export interface PendingApproval {
  kind: 'approval';
  step: string;
  guards: string;
  plan: Plan;
  planHash: string;
  /** As the runbook names them (people and group:<name>). */
  approvers: string[];
  /** Who that means now: people, and the members of each group. */
  eligible: string[];
  minApprovals: number;
  allowRequester: boolean;
  approvals: ApprovalVote[];
  /** Answers must be signed (the step's `signed`, or the worker's RUNBOOK_REQUIRE_SIGNATURES). */
  signed?: true;
  /** What happens at the deadline, in words ("the step fails", "the run goes to `page`"). */
  onTimeout?: string;
  requestedAt: string;
  deadline: string;
}

export interface Suggestion {
  choice?: string;
  values?: Record<string, unknown>;
  reasoning: string;
  confidence: number;
  model: string;
}

export interface PendingDecision {
  kind: 'decision';
  step: string;
  decision: 'decide' | 'fill';
  prompt: string;
  choices?: Array<{ name: string; when: string }>;
  schema?: Record<string, unknown>;
  /** Why a human decides: no model, the model failed, or its confidence was too low. */
  why: string;
  suggestion?: Suggestion;
  /** Empty: anyone may decide. */
  eligible: string[];
  /** What a signed answer names as its plan: the hash of the question (contract/signing.ts). */
  questionHash: string;
  /** The evidence steps the model read, and how each ended. */
  evidence?: Array<{ step: string; status: string }>;
  /** Answers must be signed (the step's `human.signed`, or the worker's RUNBOOK_REQUIRE_SIGNATURES). */
  signed?: true;
  /** What happens at the deadline, in words. */
  onTimeout?: string;
  requestedAt: string;
  deadline: string;
}

export type Pending = PendingApproval | PendingDecision;

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** What a budget counts: every token, cached ones included (they are billed, if at a discount). */
export const tokensOf = (u: TokenUsage): number => u.input + u.output + u.cacheRead + u.cacheWrite;

export interface DecisionRecord {
  step: string;
  decision: 'decide' | 'fill';
  by: string;
  choice?: string;
  values?: Record<string, unknown>;
  reasoning?: string;
  confidence?: number;
  model?: string;
  latencyMs?: number;
  usage?: TokenUsage;
  /** When a human decided: what the model had suggested, if anything. */
  suggestion?: Suggestion;
  why?: string;
  /** The fingerprint of the key that signed a person's answer. */
  fingerprint?: string;
  at: string;
}

export interface AuditEntry {
  at: string;
  step: string;
  action: 'approve' | 'reject' | 'decide';
  by: string;
  /** `slack`: a button in a Slack message, relayed by the receiver (`slackUser` names who clicked). */
  via: 'signal' | 'update' | 'slack';
  outcome: 'accepted' | 'refused';
  /** The Slack user who clicked, when the answer came from a Slack button. */
  slackUser?: string;
  reason?: string;
  planHash?: string;
  detail?: string;
  /** The attempt's SSH signature as the run checked it. */
  signed?: AuditSignature;
  /** What an accepted approval approved: the rendered plan (in history only, the audit marker; reports show it). */
  plan?: Plan;
}

/** An answer's signature as the run checked it. */
export interface AuditSignature {
  verified: boolean;
  /** The signing key's SHA256 fingerprint, when the signature could be read. */
  fingerprint?: string;
  keyType?: string;
  /** The statement the run expected and the signature as sent: kept in history (the audit marker) for `runbook verify`, not in the status. */
  statement?: string;
  signature?: string;
}
