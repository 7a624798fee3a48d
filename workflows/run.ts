// The state of one remediation inside the workflow: step records, visits, compensations, and
// what the Temporal UI and the `status` query show. Frames give foreach iterations their own
// view of `steps.*` and their loop variable.
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';
import type { CompiledStep } from '../dsl/kinds';
import type { Scope } from '../dsl/expressions';
import { REMEDIATION_STATUS } from '../contract/search-attributes';
import { Humans } from './humans';
import type {
  AuditEntry,
  CompensationRecord,
  DecisionRecord,
  PendingCompensation,
  RemediationStatus,
  ResumeState,
  RunInput,
  StatusView,
  StepRecord,
} from '../contract/run';

const TERMINAL: readonly RemediationStatus[] = ['succeeded', 'failed', 'cancelled'];

/** Defence in depth beyond `maxVisits`: no run executes more steps than this. */
export const MAX_STEP_EXECUTIONS = 10_000;

/** Audit entries kept in state (and so in the status query); every entry stays in history as a marker. */
export const MAX_AUDIT_ENTRIES = 200;

export class Run {
  readonly runbook: CompiledRunbook;
  readonly top: Frame;
  status: RemediationStatus = 'running';
  /** Running steps; a count because foreach iterations run the same step at once. */
  private readonly running = new Map<string, number>();
  readonly visits: Record<string, number>;
  executed: number;
  readonly compensations: PendingCompensation[];
  readonly compensationLog: CompensationRecord[] = [];
  alertStatus: Alert['status'] | undefined;
  tokensUsed: number;
  readonly continuedRuns: number;
  readonly decisions: DecisionRecord[];
  readonly audit: AuditEntry[];
  /** Audit entries dropped from state once it held MAX_AUDIT_ENTRIES (the oldest go first). */
  auditDropped: number;
  readonly humans: Humans;
  /** Plan hashes approved for guarded steps, consumed when the step runs. */
  readonly approvedPlans = new Map<string, string>();
  /** Guarded step id -> the approve step that guards it. */
  readonly guardedBy: ReadonlyMap<string, string>;
  private resumedPoll: ResumeState['poll'];
  private readonly childOrdinals = new Map<string, number>();

  constructor(readonly input: RunInput) {
    this.runbook = input.runbook;
    const resume = input.resume;
    this.visits = { ...resume?.visits };
    this.top = new Frame(this);
    for (const record of Object.values(resume?.steps ?? {})) this.top.records.set(record.id, record);
    this.executed = resume?.executed ?? 0;
    this.compensations = [...(resume?.compensations ?? [])];
    this.alertStatus = resume?.alertStatus ?? input.alert?.status;
    this.tokensUsed = resume?.tokensUsed ?? 0;
    this.continuedRuns = resume?.continuedRuns ?? 0;
    this.resumedPoll = resume?.poll;
    this.decisions = [...(resume?.decisions ?? [])];
    this.audit = [...(resume?.audit ?? [])];
    this.auditDropped = resume?.auditDropped ?? 0;
    this.humans = new Humans(this);
    this.guardedBy = new Map(
      Object.values(this.runbook.steps)
        .filter((s) => s.kind === 'approve')
        .map((s) => [(s as { guards: string }).guards, s.id]),
    );
  }

  /** The alert resolved and the runbook says `onResolved: stop`: no further step starts. */
  get stopRequested(): boolean {
    return this.alertStatus === 'resolved' && this.runbook.onResolved === 'stop';
  }

  recordAudit(entry: AuditEntry): void {
    this.audit.push(entry);
    while (this.audit.length > MAX_AUDIT_ENTRIES) {
      this.audit.shift();
      this.auditDropped++;
    }
  }

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

  /**
   * RemediationStatus tells how a *running* remediation stands (running, awaiting-approval,
   * awaiting-decision, compensating). How a run ended is Temporal's own ExecutionStatus, so a
   * closed run costs no extra history event for it; the status query still shows the outcome.
   */
  setStatus(status: RemediationStatus): void {
    if (this.status === status) return;
    this.status = status;
    if (!TERMINAL.includes(status)) upsertSearchAttributes([{ key: REMEDIATION_STATUS, value: status }]);
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

  /** The "Current details" pane of the Temporal UI. */
  private showDetails(): void {
    const running = this.current.map((id) => {
      const step = this.runbook.steps[id];
      return `- \`${id}\`${step?.description ? `: ${step.description}` : ''}`;
    });
    setCurrentDetails([`**${this.status}**`, ...(running.length ? ['', 'Running:', ...running] : [])].join('\n'));
  }

  view(): StatusView {
    return {
      runbook: this.runbook.name,
      hash: this.runbook.hash,
      status: this.status,
      startedBy: this.input.startedBy,
      ...(this.alertStatus && { alertStatus: this.alertStatus }),
      current: this.current,
      steps: this.top.allRecords(),
      pending: this.humans.list(),
      decisions: this.decisions,
      audit: this.audit,
      ...(this.auditDropped > 0 && { auditDropped: this.auditDropped }),
      compensations: this.compensationLog,
      tokensUsed: this.tokensUsed,
    };
  }
}

export class Frame {
  readonly records = new Map<string, StepRecord>();
  readonly visits: Record<string, number>;

  constructor(
    readonly run: Run,
    readonly parent?: Frame,
    readonly locals: Record<string, unknown> = {},
  ) {
    // The top frame's visits survive continue-as-new; an iteration counts its own.
    this.visits = parent ? {} : run.visits;
  }

  get isTop(): boolean {
    return this.parent === undefined;
  }

  child(locals: Record<string, unknown>): Frame {
    return new Frame(this.run, this, locals);
  }

  record(id: string): StepRecord | undefined {
    return this.records.get(id) ?? this.parent?.record(id);
  }

  allRecords(): Record<string, StepRecord> {
    return { ...this.parent?.allRecords(), ...Object.fromEntries(this.records) };
  }

  allLocals(): Record<string, unknown> {
    return { ...this.parent?.allLocals(), ...this.locals };
  }

  /** What `${{ }}` expressions see at this point of the run. */
  scope(extra: Scope = {}): Scope {
    const run = this.run;
    const info = workflowInfo();
    const steps = Object.fromEntries(
      Object.entries(this.allRecords()).map(([id, r]) => [id, { outputs: r.outputs ?? {}, status: r.status, error: r.error ?? '' }]),
    );
    return {
      inputs: run.input.inputs,
      alert: run.input.alert ? { ...run.input.alert, status: run.alertStatus ?? run.input.alert.status } : {},
      run: { id: info.workflowId, runbook: run.runbook.name, hash: run.runbook.hash, startedBy: run.input.startedBy },
      steps,
      ...this.allLocals(),
      ...extra,
    };
  }
}
