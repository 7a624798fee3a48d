// What workflows ask of activities, and what activities answer: the contract between the
// deterministic side and the side effects. Types and constants only: workflows import them
// without pulling in any activity code.
import type { Alert } from '../dsl/alert';
import type { SecretDoc } from '../dsl/schema';
import type { SecretSite } from '../dsl/secrets';
import type { AuditEntry, TokenUsage } from './run';
import type { SignatureCheck, SignatureCheckRequest } from './signing';
import type { NoticeRoute, NotifyActivities } from './notify';

/** Activities heartbeat this often, whatever they wait on. */
export const ACTIVITY_HEARTBEAT_MS = 1_000;
/** Missing beats for this long means the worker died (a step's timeout, when shorter, takes its place). */
export const ACTIVITY_HEARTBEAT_TIMEOUT_MS = 30_000;

// ---------- actions ----------

export interface ActionRequest {
  runbook: string;
  stepId: string;
  /** Rendered parameters; secrets appear as `⟦secret:NAME⟧` placeholders, which are only text. */
  with: Record<string, unknown>;
  /** Declarations of the secrets the step names in its definition (decided at compile time). */
  secrets: Record<string, SecretDoc>;
  /** Where in `with` the secret values go. */
  secretSites?: SecretSite[];
  /**
   * Set for an investigation's tool call: the action must only read with these parameters (its
   * declared effect), or the runbook declared it a read (`readOnly`, the reason). Checked again
   * by the activity, whatever the workflow decided.
   */
  readOnly?: { declared?: string };
}

/** Every action activity has this shape; its activity type is the action name. */
export type ActionActivity = (request: ActionRequest) => Promise<Record<string, unknown>>;

// ---------- Claude ----------

export interface AdviceRequest {
  runbook: { name: string; description?: string };
  stepId: string;
  kind: 'decide' | 'fill';
  /** The step's prompt, rendered. */
  prompt: string;
  choices?: Array<{ name: string; when: string }>;
  schema?: Record<string, unknown>;
  evidence: Array<{ step: string; status: string; outputs: unknown; error?: string }>;
  alert?: Alert;
  /** Inputs minus those marked sensitive. */
  inputs: Record<string, unknown>;
  /** The step's or runbook's model; the worker's default otherwise. */
  model?: string;
}

export interface AdviceResult {
  /** `invalid`: the model kept answering outside the declared choices or schema. */
  outcome: 'answer' | 'invalid';
  choice?: string;
  values?: Record<string, unknown>;
  reasoning: string;
  confidence: number;
  model: string;
  usage: TokenUsage;
  latencyMs: number;
  /** Model calls made: 1 on the happy path, more when answers had to be corrected. */
  calls: number;
  problem?: string;
}

/** One turn of an investigation: the model reads what was gathered so far and calls tools or reports. */
export interface InvestigateTurnRequest {
  runbook: { name: string; description?: string };
  stepId: string;
  /** The step's question, rendered. */
  question: string;
  evidence: AdviceRequest['evidence'];
  alert?: Alert;
  inputs: Record<string, unknown>;
  /** The tools the model may call: name, what it does, and the JSON Schema of its arguments. */
  tools: Array<{ name: string; description: string; params: Record<string, unknown> }>;
  /** The choices of the decide step the finding may recommend one of. */
  choices?: Array<{ name: string; when: string }>;
  /** The turns so far, oldest first. */
  transcript: InvestigationTurn[];
  /** Calls left in the budget, told to the model so that it plans. */
  callsLeft: number;
  model?: string;
}

/** What the model did in a turn, and what its calls returned. */
export interface InvestigationTurn {
  /** The model's text beside its calls, if any. */
  text?: string;
  calls: Array<{ id: string; tool: string; input: Record<string, unknown>; reason: string }>;
  /** One per call, same order: the result as data, or why the call was refused or failed. */
  results: Array<{ id: string; content: string; isError: boolean }>;
}

/** What the model reports when it is done: validated against this shape before the run reads it. */
export interface Finding {
  summary: string;
  hypotheses: Array<{ statement: string; confidence: number; support: string[] }>;
  recommendation?: { choice: string; reasoning: string };
}

export type InvestigateTurnResult = {
  model: string;
  usage: TokenUsage;
  latencyMs: number;
} & (
  | { outcome: 'calls'; text?: string; calls: Array<{ id: string; tool: string; input: Record<string, unknown>; reason: string }> }
  | { outcome: 'finding'; finding: Finding }
  /** The model answered with neither (text alone, or a finding that kept failing its checks). */
  | { outcome: 'invalid'; problem: string; text?: string }
);

export interface ClaudeActivities {
  askClaude(request: AdviceRequest): Promise<AdviceResult>;
  investigateTurn(request: InvestigateTurnRequest): Promise<InvestigateTurnResult>;
}

// ---------- people ----------

export interface People {
  /** Everyone the list names: people, and the current members of each `group:<name>`. */
  eligible: string[];
  /** Groups named in the list that the people file does not define. */
  unknownGroups: string[];
  /** The worker requires every answer to be signed (RUNBOOK_REQUIRE_SIGNATURES). */
  signaturesRequired?: true;
  /** Where to tell the people asked, when the people file routes the request anywhere. */
  notify?: NoticeRoute;
}

export interface PeopleActivities {
  /** `step` asks (for logs; `runbook test` holds its clock until the step's question is answered). */
  resolvePeople(names: string[], step?: string, runbook?: string): Promise<People>;
  /** Whether an answer's SSH signature covers the statement the run expects, by a key the people file lists for the signer. */
  checkSignature(request: SignatureCheckRequest): Promise<SignatureCheck>;
}

export interface AuditActivities {
  /** Returns the entry, so that it is in the marker the local activity leaves in history. */
  recordAudit(entry: AuditEntry): Promise<AuditEntry>;
}

// ---------- admission ----------

export interface AdmissionRequest {
  name: string;
  /** Recomputed by the workflow from the definition it was given. */
  hash: string;
}

export type AdmissionVerdict =
  | {
      admitted: true;
      how: 'served' | 'retired' | 'development';
      from: string;
      /**
       * Whether the admitting worker can ask a model. False: decide and fill steps go straight to
       * a person. Verdicts recorded before this field existed lack it and mean "ask the model".
       */
      model?: boolean;
    }
  | { admitted: false; reason: string };

export interface AdmissionActivities {
  checkAdmission(request: AdmissionRequest): Promise<AdmissionVerdict>;
}

export interface GovernorActivities {
  /** Starts the governor of this fleet (on this worker's task queue) if it is not running, with the worker's fleet policy. */
  ensureGovernor(fleet: string): Promise<void>;
  /**
   * Which of these executions no longer run: terminated, reset, timed out, gone. One that
   * continued as new still runs when its workflow does (a run slot is kept across it).
   */
  closedRuns(runs: Array<{ run: string; runId: string }>): Promise<Array<{ run: string; runId: string }>>;
}

/** The engine's own activities by name (every other activity is an action, named after it). */
export const ENGINE_ACTIVITY = {
  askClaude: 'askClaude',
  investigateTurn: 'investigateTurn',
  resolvePeople: 'resolvePeople',
  checkSignature: 'checkSignature',
  notifyPeople: 'notifyPeople',
  settleNotice: 'settleNotice',
  recordAudit: 'recordAudit',
  checkAdmission: 'checkAdmission',
  ensureGovernor: 'ensureGovernor',
  closedRuns: 'closedRuns',
} as const satisfies { [K in keyof (ClaudeActivities & PeopleActivities & NotifyActivities & AuditActivities & AdmissionActivities & GovernorActivities)]: K };

// ---------- runbook tests ----------

/** How a child run of a `runbook test` scenario ends: run through with its own scripts, or as scripted. */
export type ScriptedChildOutcome = { kind: 'run' } | { kind: 'succeeded'; outputs: Record<string, unknown> } | { kind: 'failed'; error: string };

/** Served only by `runbook test` workers (scenarios/), for workflows/scripted-children.ts. */
export interface ScriptedChildActivities {
  scriptedChild(request: { workflowId: string }): Promise<ScriptedChildOutcome>;
}
