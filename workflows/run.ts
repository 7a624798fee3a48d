// The state of one remediation inside the workflow: step records, visits, compensations,
// decisions, the audit trail, and what the Temporal UI and the `status` query show. The state
// changes only through the named methods below; frames give foreach iterations their own view
// of `steps.*` and their loop variable.
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';
import type { Scope } from '../dsl/expressions';
import type { CompiledStep } from '../dsl/kinds';
import type { CallRecord } from '../dsl/kinds/investigate';
import { tokensOf, type TokenUsage } from '../contract/run';
import { REMEDIATION_STATUS } from '../contract/search-attributes';
import { RunGuards } from './guards';
import { Humans } from './humans';
import { currentDetails } from './details';
import { count } from './metrics';
import type {
  AuditEntry,
  AuditSignature,
  CompensationRecord,
  DecisionRecord,
  PendingCompensation,
  RemediationStatus,
  ResumeState,
  RunInput,
  StatusView,
  StepRecord,
  TrailEntry,
} from '../contract/run';

const TERMINAL: readonly RemediationStatus[] = ['succeeded', 'failed', 'cancelled'];

/** Defence in depth beyond `maxVisits`: no run executes more steps than this. */
export const MAX_STEP_EXECUTIONS = 10_000;

/** Audit entries kept in state (and so in the status query); every entry stays in history as a marker. */
export const MAX_AUDIT_ENTRIES = 200;

/** Step visits kept in the trail (the status query's `trail`); older ones are counted, not kept. */
export const MAX_TRAIL_ENTRIES = 500;

export class Run {
  readonly runbook: CompiledRunbook;
  readonly top: Frame;
  readonly humans: Humans;
  readonly guards: RunGuards;
  /** Guarded step id -> the approve step that guards it. */
  readonly guardedBy: ReadonlyMap<string, string>;
  private currentStatus: RemediationStatus = 'running';
  /** The inputs as checked against their declarations (set once, before the first step). */
  private checkedInputs: Record<string, unknown>;
  /** Running steps; a count because foreach iterations run the same step at once. */
  private readonly running = new Map<string, number>();
  /** Visits per step of the top frame; they survive continue-as-new. */
  private readonly topVisits: Record<string, number>;
  private executed: number;
  private readonly compensations: PendingCompensation[];
  private readonly compensationLog: CompensationRecord[] = [];
  private alertStatus: Alert['status'] | undefined;
  private tokens: number;
  private readonly continuedRuns: number;
  private readonly decisions: DecisionRecord[];
  private readonly audit: AuditEntry[];
  /** Audit entries dropped from state once it held MAX_AUDIT_ENTRIES (the oldest go first). */
  private auditDropped: number;
  /** Plan hashes approved for guarded steps, consumed when the step runs. */
  private readonly approvedPlans = new Map<string, string>();
  private readonly trail: TrailEntry[];
  /** The steps of the top block (the others are inside a parallel or a foreach): `entry` and the steps below it. */
  private readonly topBlock = new Set<string>();
  private trailDropped: number;
  private resumedPoll: ResumeState['poll'];
  private readonly childOrdinals = new Map<string, number>();
  /** Why the run stops early by its own rule (a fleet guard's `skip`), if it does. */
  private stopReason: string | undefined;

  /** Whether the worker that admitted the run can ask a model (runs without admission assume so). */
  private workerHasModel = true;

  constructor(
    readonly input: RunInput,
    private readonly version: { guarded: boolean; terminalStatus: boolean } = { guarded: false, terminalStatus: false },
  ) {
    this.runbook = input.runbook;
    this.checkedInputs = input.inputs;
    const resume = input.resume;
    this.topVisits = { ...resume?.visits };
    this.top = new Frame(this, this.topVisits);
    for (const record of Object.values(resume?.steps ?? {})) this.top.setRecord(record);
    this.executed = resume?.executed ?? 0;
    this.compensations = [...(resume?.compensations ?? [])];
    this.alertStatus = resume?.alertStatus ?? input.alert?.status;
    this.tokens = resume?.tokensUsed ?? 0;
    this.continuedRuns = resume?.continuedRuns ?? 0;
    this.resumedPoll = resume?.poll;
    this.decisions = [...(resume?.decisions ?? [])];
    this.audit = [...(resume?.audit ?? [])];
    this.auditDropped = resume?.auditDropped ?? 0;
    this.trail = [...(resume?.trail ?? [])];
    this.trailDropped = resume?.trailDropped ?? 0;
    for (let id: string | null = this.runbook.entry; id !== null && !this.topBlock.has(id); id = this.runbook.steps[id]?.following ?? null)
      this.topBlock.add(id);
    this.humans = new Humans(this);
    this.guards = new RunGuards(this, version.guarded, resume?.runSlotHeld === true);
    this.guardedBy = new Map(
      Object.values(this.runbook.steps)
        .filter((s) => s.kind === 'approve')
        .map((s) => [s.guards, s.id]),
    );
  }

  get inputs(): Record<string, unknown> {
    return this.checkedInputs;
  }

  /** The inputs as they passed their declarations (typed, defaults applied). */
  useCheckedInputs(values: Record<string, unknown>): void {
    this.checkedInputs = values;
  }

  get status(): RemediationStatus {
    return this.currentStatus;
  }

  /** What admission said of the worker. */
  useWorker(worker: { model: boolean }): void {
    this.workerHasModel = worker.model;
  }

  /** False when the admitting worker has no model: decide and fill steps ask a person at once. */
  get modelConfigured(): boolean {
    return this.workerHasModel;
  }

  /** The alert resolved and the runbook says `onResolved: stop`, or a guard said skip: no further step starts. */
  get stopRequested(): boolean {
    return this.stopReason !== undefined || (this.alertStatus === 'resolved' && this.runbook.onResolved === 'stop');
  }

  /** Ends the run successfully before its next step, for this reason. */
  requestStop(reason: string): void {
    this.stopReason ??= reason;
  }

  /** Why the run stops, before or during a step. */
  stopMessage(stepId: string, when: 'before' | 'during'): string {
    return this.stopReason ?? `the alert resolved ${when} step \`${stepId}\` (onResolved: stop)`;
  }

  alertResolved(): void {
    this.alertStatus = 'resolved';
  }

  get tokensUsed(): number {
    return this.tokens;
  }

  spendTokens(usage: TokenUsage): void {
    this.tokens += tokensOf(usage);
  }

  /** The calls of investigations under way, for `runbook status`; the step's outputs keep them after. */
  readonly investigations = new Map<string, CallRecord[]>();

  recordDecision(record: DecisionRecord): void {
    this.decisions.push(record);
  }

  recordAudit(entry: AuditEntry): void {
    // The statement, signature and approved plan stay in history (the audit marker); the status keeps what was decided.
    const { statement: _statement, signature: _signature, ...signed } = entry.signed ?? {};
    const { plan: _plan, ...kept } = entry;
    this.audit.push(entry.signed ? { ...kept, signed: signed as AuditSignature } : kept);
    while (this.audit.length > MAX_AUDIT_ENTRIES) {
      this.audit.shift();
      this.auditDropped++;
    }
  }

  /** A step visit ended with this status, taking this route. */
  trailStep(entry: Omit<TrailEntry, 'nested'>): void {
    this.trail.push(this.topBlock.has(entry.step) ? entry : { ...entry, nested: true });
    if (this.trail.length > MAX_TRAIL_ENTRIES) {
      this.trail.shift();
      this.trailDropped++;
    }
  }

  /** Counts one more step executed in the whole run; returns the count. */
  countExecution(): number {
    return ++this.executed;
  }

  // ---------- approvals of plans ----------

  planApproved(stepId: string, hash: string): void {
    this.approvedPlans.set(stepId, hash);
  }

  /** The approved plan hash for a guarded step, consumed: an approval covers one run of the step. */
  takeApprovedPlan(stepId: string): string | undefined {
    const hash = this.approvedPlans.get(stepId);
    this.approvedPlans.delete(stepId);
    return hash;
  }

  // ---------- compensations ----------

  /** An undo to run if the run later fails or is cancelled. */
  pushCompensation(c: PendingCompensation): void {
    this.compensations.push(c);
  }

  /** The newest pending undo, now on the log as pending; undefined when none is left. */
  nextCompensation(): { compensation: PendingCompensation; logged: number } | undefined {
    const compensation = this.compensations.pop();
    if (!compensation) return undefined;
    this.compensationLog.push({ stepId: compensation.stepId, uses: compensation.uses, status: 'pending' });
    return { compensation, logged: this.compensationLog.length - 1 };
  }

  compensationEnded(logged: number, status: 'succeeded' | 'failed', error?: string): void {
    count('compensations', { runbook: this.runbook.name, outcome: status });
    Object.assign(this.compensationLog[logged]!, { status, ...(error !== undefined && { error }) });
  }

  get hasCompensations(): boolean {
    return this.compensations.length > 0;
  }

  /** `; compensated: a (succeeded), b (failed)` for a failure message, or nothing. */
  compensationSummary(): string {
    return this.compensationLog.length ? `; compensated: ${this.compensationLog.map((c) => `${c.stepId} (${c.status})`).join(', ')}` : '';
  }

  // ---------- children and continue-as-new ----------

  /** 1 for the first child workflow a step starts, 2 for the next... */
  nextChildOrdinal(stepId: string): number {
    const n = (this.childOrdinals.get(stepId) ?? 0) + 1;
    this.childOrdinals.set(stepId, n);
    return n;
  }

  /** Poll progress carried over by continue-as-new, for the step the run resumed in; given once. */
  takeResumedPoll(stepId: string): ResumeState['poll'] {
    if (this.input.resume?.at !== stepId) return undefined;
    const poll = this.resumedPoll;
    this.resumedPoll = undefined;
    return poll;
  }

  /** The input of the run that continues this one, from step `at` (inside a poll when `poll` is given). */
  continuation(at: string, poll?: ResumeState['poll']): RunInput {
    const resume: ResumeState = {
      at,
      steps: this.top.ownRecords(),
      // A poll resumes inside its step: that visit is already counted and must not count twice.
      visits: poll ? { ...this.topVisits, [at]: (this.topVisits[at] ?? 1) - 1 } : { ...this.topVisits },
      executed: this.executed,
      compensations: [...this.compensations],
      ...(poll && { poll }),
      ...(this.alertStatus && { alertStatus: this.alertStatus }),
      tokensUsed: this.tokens,
      continuedRuns: this.continuedRuns + 1,
      decisions: [...this.decisions],
      audit: [...this.audit],
      ...(this.auditDropped > 0 && { auditDropped: this.auditDropped }),
      trail: [...this.trail],
      ...(this.trailDropped > 0 && { trailDropped: this.trailDropped }),
      ...(this.guards.runSlotHeld && { runSlotHeld: true }),
    };
    return { ...this.input, inputs: this.checkedInputs, resume };
  }

  // ---------- what people see ----------

  /**
   * RemediationStatus tells how a remediation stands (running, awaiting-approval, ...) and, from
   * runbookV4 on, how it ended. Older versions leave it at its last running value when the run
   * ends (their histories have no such upsert); the status query shows the outcome in all.
   */
  setStatus(status: RemediationStatus): void {
    if (this.currentStatus === status) return;
    this.currentStatus = status;
    if (this.version.terminalStatus || !TERMINAL.includes(status)) upsertSearchAttributes([{ key: REMEDIATION_STATUS, value: status }]);
    this.showDetails();
  }

  stepStarted(step: CompiledStep): void {
    this.running.set(step.id, (this.running.get(step.id) ?? 0) + 1);
    this.showDetails();
  }

  stepEnded(step: CompiledStep): void {
    const left = (this.running.get(step.id) ?? 1) - 1;
    if (left > 0) this.running.set(step.id, left);
    else this.running.delete(step.id);
    this.showDetails();
  }

  get current(): string[] {
    return [...this.running.keys()];
  }

  /** The "Current details" pane of the Temporal UI: kept current as steps run and people are asked and answer. */
  showDetails(): void {
    const running = this.current.map((id) => ({ id, ...(this.runbook.steps[id]?.description && { description: this.runbook.steps[id].description }) }));
    setCurrentDetails(currentDetails({ workflowId: workflowInfo().workflowId, status: this.currentStatus, running, pending: this.humans.list() }));
  }

  view(): StatusView {
    return {
      runbook: this.runbook.name,
      hash: this.runbook.hash,
      firstRunId: workflowInfo().firstExecutionRunId,
      status: this.currentStatus,
      startedBy: this.input.startedBy,
      ...(this.alertStatus && { alertStatus: this.alertStatus }),
      current: this.current,
      steps: this.top.allRecords(),
      pending: this.humans.list(),
      decisions: this.decisions,
      audit: this.audit,
      ...(this.auditDropped > 0 && { auditDropped: this.auditDropped }),
      compensations: this.compensationLog,
      tokensUsed: this.tokens,
      trail: this.trail,
      ...(this.trailDropped > 0 && { trailDropped: this.trailDropped }),
      ...(this.guards.waiting && { guard: this.guards.waiting }),
      ...(this.investigations.size > 0 && { investigating: [...this.investigations].map(([step, calls]) => ({ step, calls })) }),
    };
  }

  /** What `${{ }}` expressions see of the run itself (frames add `steps` and loop variables). */
  scopeBase(): Scope {
    const info = workflowInfo();
    const alert = this.input.alert;
    return {
      inputs: this.checkedInputs,
      alert: alert ? { ...alert, status: this.alertStatus ?? alert.status } : {},
      run: { id: info.workflowId, runbook: this.runbook.name, hash: this.runbook.hash, startedBy: this.input.startedBy },
    };
  }
}

export class Frame {
  private readonly records = new Map<string, StepRecord>();

  constructor(
    readonly run: Run,
    /** Visits per step: the top frame's survive continue-as-new; an iteration counts its own. */
    private readonly visits: Record<string, number> = {},
    readonly parent?: Frame,
    readonly locals: Record<string, unknown> = {},
  ) {}

  get isTop(): boolean {
    return this.parent === undefined;
  }

  child(locals: Record<string, unknown>): Frame {
    return new Frame(this.run, {}, this, locals);
  }

  /** Counts one more visit of a step in this frame; returns the count. */
  visit(stepId: string): number {
    const n = (this.visits[stepId] ?? 0) + 1;
    this.visits[stepId] = n;
    return n;
  }

  setRecord(record: StepRecord): void {
    this.records.set(record.id, record);
  }

  record(id: string): StepRecord | undefined {
    return this.records.get(id) ?? this.parent?.record(id);
  }

  /** The records of steps run in this frame itself (not its parents'). */
  ownRecords(): Record<string, StepRecord> {
    return Object.fromEntries(this.records);
  }

  allRecords(): Record<string, StepRecord> {
    return { ...this.parent?.allRecords(), ...Object.fromEntries(this.records) };
  }

  allLocals(): Record<string, unknown> {
    return { ...this.parent?.allLocals(), ...this.locals };
  }

  /** What `${{ }}` expressions see at this point of the run. */
  scope(extra: Scope = {}): Scope {
    const steps = Object.fromEntries(
      Object.entries(this.allRecords()).map(([id, r]) => [id, { outputs: r.outputs ?? {}, status: r.status, error: r.error ?? '' }]),
    );
    return { ...this.run.scopeBase(), steps, ...this.allLocals(), ...extra };
  }
}
