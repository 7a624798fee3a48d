// People in the loop: approvals and decisions waiting for a human, the handlers that receive
// them (as signals from the Web UI and as updates from the CLI/API), the policy every attempt
// is checked against, and the audit trail of accepted and refused attempts.
import { ApplicationFailure, condition, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  HANDLER_DESCRIPTIONS,
  alertResolvedSignal,
  approveSignal,
  approveUpdate,
  decideSignal,
  decideUpdate,
  rejectSignal,
  rejectUpdate,
  type ApproveRequest,
  type DecideRequest,
  type HumanReply,
  type RejectRequest,
} from '../contract/messages';
import type { CompiledRunbook } from '../dsl/compiled';
import { isRecord } from '../dsl/values';
import { labelText, type Label } from '../contract/labels';
import type { NoticeKind, NoticeRoute, RequestNotice } from '../contract/notify';
import { Notices } from './notices';
import { eligiblePeople } from './people';
import { fillValuesProblem, HUMAN_LIMITS, oversized, Refused, validApprove, validDecide, validReject } from './human-requests';
import type { AuditEntry, AuditSignature, PendingApproval, PendingDecision, Plan, RemediationStatus, RunInput } from '../contract/run';
import type { AuditActivities, PeopleActivities } from '../contract/activities';
import { answerStatement, statementText, type SignatureCheck, type SignatureCheckRequest } from '../contract/signing';
import { reasonOf } from './failures';
import { count, observeSeconds } from './metrics';

type Via = 'signal' | 'update' | 'slack';
type Answer = { action: 'approve'; req: ApproveRequest } | { action: 'reject'; req: RejectRequest } | { action: 'decide'; req: DecideRequest };
/** Who a signature proved, for the wait it was checked against. */
interface Signer {
  fingerprint: string;
  requestedAt: string;
}
export type ApprovalOutcome = { kind: 'approved' } | { kind: 'rejected'; by: string; reason: string };
export interface HumanAnswer {
  by: string;
  choice?: string;
  values?: Record<string, unknown>;
  comment?: string;
  /** The key that signed the answer, when signed. */
  fingerprint?: string;
}

// Recording an audit entry as a local activity puts it in history as a marker, with the reason,
// for signals too (a signal's own event carries the payload but not what we made of it).
const { recordAudit } = proxyLocalActivities<AuditActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3 },
  summary: labelText({ kind: 'audit' }),
});

// A signature is checked by the worker against the people file as it is now (a key revoked a
// minute ago is refused); as a local activity, the verdict is a marker in history.
const { checkSignature } = proxyLocalActivities<PeopleActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3 },
  summary: labelText({ kind: 'check-signature' }),
});

/** What the people module needs of the run it belongs to (workflows/run.ts's Run). */
export interface HumansHost {
  readonly runbook: CompiledRunbook;
  readonly input: Pick<RunInput, 'startedBy' | 'alert'>;
  readonly stopRequested: boolean;
  setStatus(status: RemediationStatus): void;
  /** The run gives back its fleet slot while a person decides (workflows/guards.ts). */
  readonly guards: { releaseRunSlot(): void };
  alertResolved(): void;
  recordAudit(entry: AuditEntry): void;
  /** Refreshes the run's Web UI pane (a vote changes what it shows). */
  showDetails(): void;
}

export class Humans {
  private readonly pending = new Map<string, PendingApproval | PendingDecision>();
  private readonly ended = new Set<string>();
  private readonly outcomes = new Map<string, ApprovalOutcome>();
  private readonly answers = new Map<string, HumanAnswer>();
  /** Messages to people still being sent or settled. */
  private readonly inFlight: Array<Promise<void>> = [];

  constructor(private readonly run: HumansHost) {}

  /** Called once at workflow start, before anything can wait, so the UI lists every handler. */
  register(): void {
    // An update that is not an object, or too big to keep, is refused before Temporal accepts it: it never enters history.
    const shaped = (what: string) => (payload: unknown) => {
      if (!isRecord(payload)) throw new Error(`${what} needs a JSON object; see the handler description`);
      const problem = oversized(payload);
      if (problem !== undefined) throw new Error(`${what} refused: ${problem}`);
    };
    const signal = (action: AuditEntry['action']) => async (req: unknown) => {
      await this.receive(action, req, 'signal');
    };
    setHandler(approveSignal, signal('approve'), { description: HANDLER_DESCRIPTIONS.approve });
    setHandler(rejectSignal, signal('reject'), { description: HANDLER_DESCRIPTIONS.reject });
    setHandler(decideSignal, signal('decide'), { description: HANDLER_DESCRIPTIONS.decide });
    setHandler(approveUpdate, (req) => this.receive('approve', req, 'update'), { description: HANDLER_DESCRIPTIONS.approve, validator: shaped('approve') });
    setHandler(rejectUpdate, (req) => this.receive('reject', req, 'update'), { description: HANDLER_DESCRIPTIONS.reject, validator: shaped('reject') });
    setHandler(decideUpdate, (req) => this.receive('decide', req, 'update'), { description: HANDLER_DESCRIPTIONS.decide, validator: shaped('decide') });
    setHandler(
      alertResolvedSignal,
      () => {
        this.run.alertResolved();
      },
      { description: HANDLER_DESCRIPTIONS.alertResolved },
    );
  }

  list(): Array<PendingApproval | PendingDecision> {
    return [...this.pending.values()];
  }

  /**
   * Waits for enough approvals or a rejection; undefined when the time ran out or the alert
   * stopped the run. Votes are added to `pending.approvals`, the very array passed in.
   */
  async waitForApproval(
    request: Omit<Waiting<PendingApproval>, 'approvals'>,
    timeoutMs: number,
    route?: NoticeRoute,
  ): Promise<{ outcome?: ApprovalOutcome; approvedBy: string[] }> {
    const pending: PendingApproval = { ...request, approvals: [], ...window(timeoutMs) };
    const settled = (): string => {
      const o = this.outcomes.get(pending.step);
      if (o?.kind === 'approved') return `approved by ${pending.approvals.map((a) => a.by).join(', ')}`;
      if (o?.kind === 'rejected') return `rejected by ${o.by}: ${o.reason}`;
      return this.unanswered(pending);
    };
    await this.wait(
      pending,
      'awaiting-approval',
      () => this.outcomes.has(pending.step),
      { kind: 'wait-for-approval', step: pending.step, timeoutMs },
      timeoutMs,
      route,
      settled,
    );
    return { outcome: take(this.outcomes, pending.step), approvedBy: pending.approvals.map((a) => a.by) };
  }

  /** Waits for a person's decision; undefined when the time ran out or the alert stopped the run. */
  async waitForDecision(request: Waiting<PendingDecision>, timeoutMs: number, route?: NoticeRoute): Promise<HumanAnswer | undefined> {
    const pending = { ...request, ...window(timeoutMs) } as PendingDecision;
    const settled = (): string => {
      const a = this.answers.get(pending.step);
      if (a) return `decided by ${a.by}: ${a.choice ?? JSON.stringify(a.values)}`;
      return this.unanswered(pending);
    };
    await this.wait(
      pending,
      'awaiting-decision',
      () => this.answers.has(pending.step),
      { kind: 'wait-for-decision', step: pending.step, timeoutMs },
      timeoutMs,
      route,
      settled,
    );
    return take(this.answers, pending.step);
  }

  /** How a request ended that nobody answered, for the messages that asked. */
  private unanswered(pending: PendingApproval | PendingDecision): string {
    return this.run.stopRequested ? 'no longer needed: the alert resolved' : `nobody answered in time; ${pending.onTimeout ?? 'the step fails'}`;
  }

  /** Lets what was sent to people finish (a settled message updated) before the run closes. */
  async drainNotices(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  /**
   * Lists the request, tells the people asked (when the people file routes it), waits until it
   * is answered, the run must stop, or time runs out, reminding and escalating on the way, then
   * ends it and marks the messages settled.
   */
  private async wait(
    pending: PendingApproval | PendingDecision,
    status: RemediationStatus,
    answered: () => boolean,
    label: Extract<Label, { kind: 'wait-for-approval' | 'wait-for-decision' }>,
    timeoutMs: number,
    route: NoticeRoute | undefined,
    settled: () => string,
  ): Promise<void> {
    this.pending.set(pending.step, pending);
    const asked = Date.now();
    const tags = { runbook: this.run.runbook.name, request: pending.kind };
    count('humanRequests', tags);
    this.run.setStatus(status);
    this.run.showDetails();
    this.run.guards.releaseRunSlot();
    const done = () => answered() || this.run.stopRequested;
    const notices =
      route &&
      new Notices(
        (kind) => this.notice(kind, pending),
        (work) => this.inFlight.push(work.then(() => undefined)),
      );
    notices?.send('request', route!.channels);
    const end = Date.now() + timeoutMs;
    for (const due of route ? reminders(route, Date.now(), end) : []) {
      const summary = labelText({ kind: 'remind', step: pending.step, escalate: due.escalate, afterMs: due.afterMs });
      if (await condition(done, Math.max(1, due.at - Date.now()), { summary })) break;
      if (!due.escalate) notices!.send('reminder', route!.channels);
      else await this.escalate(pending, route!, notices!);
    }
    if (!done()) await condition(done, Math.max(1, end - Date.now()), { summary: labelText(label) });
    const how = answered() ? 'answered' : this.run.stopRequested ? 'ended' : 'timed-out';
    count('humanSettled', { ...tags, how });
    observeSeconds('humanWaitSeconds', (Date.now() - asked) / 1000, { ...tags, how });
    this.pending.delete(pending.step);
    this.ended.add(pending.step);
    this.run.setStatus('running');
    this.run.showDetails();
    notices?.settle(`${settled()} (${new Date().toISOString()})`, pending.step);
  }

  /** Asks the escalation's people too: they are told, and may answer from now on. */
  private async escalate(pending: PendingApproval | PendingDecision, route: NoticeRoute, notices: Notices): Promise<void> {
    const who = await eligiblePeople(pending.step, route.escalate!.to, pending.kind === 'approval' ? 'approve' : 'decide', this.run.runbook.name);
    // A decision open to anyone stays open to anyone.
    if (pending.eligible.length > 0) pending.eligible = [...new Set([...pending.eligible, ...who.eligible])].sort();
    this.run.showDetails();
    notices.send('escalation', who.notify?.channels ?? route.channels);
  }

  private notice(kind: NoticeKind, pending: PendingApproval | PendingDecision): RequestNotice {
    const { runbook, input } = this.run;
    const step = runbook.steps[pending.step];
    return {
      kind,
      workflowId: workflowInfo().workflowId,
      runbook: { name: runbook.name, ...(runbook.description && { description: runbook.description }) },
      startedBy: input.startedBy,
      ...(input.alert && { alert: { status: input.alert.status, labels: input.alert.labels, annotations: input.alert.annotations } }),
      ...(step?.description && { stepDescription: step.description }),
      pending,
      ...(pending.kind === 'decision' && pending.evidence && { evidence: pending.evidence }),
    };
  }

  /**
   * Every attempt is checked, recorded in state and history, and answered or refused. Refusals
   * quote only values that passed the shape check (a bounded, printable name; a step id).
   */
  private async receive(action: AuditEntry['action'], raw: unknown, via: Via): Promise<HumanReply> {
    const req = isRecord(raw) ? raw : {};
    // What the attempt claimed, cut to size: the audit records it, whatever else was wrong with it.
    const step = clip(req.step, HUMAN_LIMITS.step);
    const by = clip(req.by, HUMAN_LIMITS.name);
    const planHash = typeof req.planHash === 'string' ? clip(req.planHash, 64) : undefined;
    // A click relayed from Slack: recorded as such, with the clicker's Slack id (bounded, printable: checked below).
    const slackUser = typeof req.slackUser === 'string' && /^[UW][A-Z0-9]{2,20}$/.test(req.slackUser) ? req.slackUser : undefined;
    if (slackUser && via === 'update') via = 'slack';
    const proof: { signed?: AuditSignature } = {};
    let message: string;
    try {
      const answer: Answer =
        action === 'approve' ? { action, req: validApprove(req) } : action === 'reject' ? { action, req: validReject(req) } : { action, req: validDecide(req) };
      // Only a signature to verify waits (for the worker): an answer without one is decided in
      // the same turn, so attempts are audited in the order they arrived.
      const checking = this.signer(answer, proof, slackUser);
      const signer = checking instanceof Promise ? await checking : checking;
      if (answer.action === 'approve') message = this.approve(answer.req, via, signer);
      else if (answer.action === 'reject') message = this.reject(answer.req, signer);
      else message = this.decide(answer.req, signer);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      await this.audit({
        step,
        action,
        by,
        via,
        outcome: 'refused',
        reason: err.message,
        ...(planHash && { planHash }),
        ...(slackUser && { slackUser }),
        ...proof,
      });
      // A refused update fails (the caller sees why); a refused signal is only recorded.
      if (via !== 'signal') throw ApplicationFailure.create({ type: 'Refused', message: err.message, nonRetryable: true });
      return { step, message: err.message };
    }
    const approved = action === 'approve' ? this.approvedPlan(step) : undefined;
    await this.audit({
      step,
      action,
      by,
      via,
      outcome: 'accepted',
      detail: message,
      ...(planHash && { planHash }),
      ...(slackUser && { slackUser }),
      ...proof,
      ...(approved && { plan: approved }),
    });
    return { step, message };
  }

  /**
   * Checks the answer's signature against the wait it answers, when it has one or the wait
   * needs one; what was checked goes into `proof` for the audit. An answer the synchronous
   * checks will refuse anyway (no such wait, a stale plan) is not sent to be verified.
   */
  private signer(answer: Answer, proof: { signed?: AuditSignature }, slackUser: string | undefined): Signer | undefined | Promise<Signer> {
    const { req } = answer;
    const pending = this.pending.get(req.step);
    if (!pending || (pending.kind === 'approval') !== (answer.action !== 'decide')) return undefined;
    if (pending.kind === 'approval' && answer.action === 'approve' && answer.req.planHash !== pending.planHash) return undefined;
    if (req.signature === undefined || req.expires === undefined) {
      if (pending.signed)
        throw new Refused(
          `step \`${req.step}\` takes signed answers only: answer with \`runbook ${answer.action} --sign\`, or send the payload \`runbook sign\` prints`,
        );
      return undefined;
    }
    const info = workflowInfo();
    const wait = {
      workflowId: info.workflowId,
      firstRunId: info.firstExecutionRunId,
      step: req.step,
      requestedAt: pending.requestedAt,
      plan: pending.kind === 'approval' ? pending.planHash : pending.questionHash,
    };
    const note = answer.action === 'reject' ? answer.req.reason : answer.req.comment;
    const signed = answerStatement(wait, {
      action: answer.action,
      by: req.by,
      ...(answer.action === 'decide' && answer.req.choice !== undefined && { choice: answer.req.choice }),
      ...(answer.action === 'decide' && answer.req.values !== undefined && { values: answer.req.values }),
      ...(note !== undefined && { note }),
      expires: req.expires,
    });
    const statement = statementText(signed);
    proof.signed = { verified: false, statement, signature: req.signature };
    if (Date.parse(req.expires) <= Date.now()) throw new Refused(`the signature expired at ${req.expires}`);
    const request: SignatureCheckRequest = {
      statement,
      signature: req.signature,
      by: req.by,
      ...(slackUser && { slack: { user: slackUser, runbook: this.run.runbook.name, step: req.step } }),
    };
    return this.verified(request, pending.requestedAt, proof);
  }

  /** The worker's verdict on a signature (a local activity: a marker in history). */
  private async verified(request: SignatureCheckRequest, requestedAt: string, proof: { signed?: AuditSignature }): Promise<Signer> {
    let check: SignatureCheck;
    try {
      check = await checkSignature(request);
    } catch (err) {
      throw new Refused(`the signature could not be checked: ${reasonOf(err)}`);
    }
    proof.signed = {
      ...proof.signed,
      verified: check.ok,
      ...(check.fingerprint && { fingerprint: check.fingerprint }),
      ...(check.keyType && { keyType: check.keyType }),
    };
    if (!check.ok) throw new Refused(`signature refused: ${check.reason}`);
    return { fingerprint: check.fingerprint, requestedAt };
  }

  /** On a signed wait, the answer's signature was checked against this very wait (not one that began while it was checked). */
  private proven(pending: PendingApproval | PendingDecision, signer: Signer | undefined): void {
    if (signer && signer.requestedAt !== pending.requestedAt)
      throw new Refused(`step \`${pending.step}\` began a new wait while the signature was checked; sign again`);
    if (pending.signed && !signer) throw new Refused(`step \`${pending.step}\` takes signed answers only`);
  }

  /** The plan of an approval just counted (the wait may already have ended: the outcome is set, the pending kept until the wait wakes). */
  private approvedPlan(step: string): Plan | undefined {
    const p = this.pending.get(step);
    return p?.kind === 'approval' ? p.plan : undefined;
  }

  private async audit(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    const full: AuditEntry = { at: new Date().toISOString(), ...entry };
    this.run.recordAudit(full);
    await recordAudit(full);
  }

  private waiting<K extends 'approval' | 'decision'>(step: string, kind: K): Extract<PendingApproval | PendingDecision, { kind: K }> {
    if (!Object.hasOwn(this.run.runbook.steps, step)) throw new Refused(`there is no step \`${step}\` in runbook ${this.run.runbook.name}`);
    const pending = this.pending.get(step);
    if (pending?.kind === kind) return pending as Extract<PendingApproval | PendingDecision, { kind: K }>;
    const what = kind === 'approval' ? 'approval' : 'a decision';
    if (this.ended.has(step)) throw new Refused(`step \`${step}\` is no longer waiting for ${what}: it has ended`);
    throw new Refused(`step \`${step}\` is not waiting for ${what}`);
  }

  private approve(req: ApproveRequest, via: Via, signer: Signer | undefined): string {
    const pending = this.waiting(req.step, 'approval');
    if (req.planHash !== pending.planHash) {
      throw new Refused(
        `stale plan: the approval names plan ${req.planHash.slice(0, 12)}, but the plan waiting for approval is ${pending.planHash.slice(0, 12)}`,
      );
    }
    this.proven(pending, signer);
    this.mayApprove(pending, req.by);
    if (pending.approvals.some((a) => a.by === req.by))
      throw new Refused(`${req.by} has already approved step \`${req.step}\`; approvals must come from distinct people`);
    const sameKey = signer && pending.approvals.find((a) => a.fingerprint === signer.fingerprint);
    if (sameKey)
      throw new Refused(
        `key ${signer.fingerprint} already approved step \`${req.step}\` (as ${sameKey.by}); approvals must come from distinct people with distinct keys`,
      );
    pending.approvals.push({
      by: req.by,
      at: new Date().toISOString(),
      via,
      ...(req.comment && { comment: req.comment }),
      ...(signer && { fingerprint: signer.fingerprint }),
    });
    const n = pending.approvals.length;
    this.run.showDetails();
    if (n >= pending.minApprovals) this.outcomes.set(req.step, { kind: 'approved' });
    return `approval ${n} of ${pending.minApprovals} recorded for step \`${req.step}\`${n >= pending.minApprovals ? '; approved' : ''}`;
  }

  private reject(req: RejectRequest, signer: Signer | undefined): string {
    const pending = this.waiting(req.step, 'approval');
    this.proven(pending, signer);
    // Whoever may approve may also stop it; so may whoever started the run.
    if (req.by !== this.run.input.startedBy) this.mayApprove(pending, req.by, true);
    this.outcomes.set(req.step, { kind: 'rejected', by: req.by, reason: req.reason });
    return `step \`${req.step}\` rejected by ${req.by}`;
  }

  private mayApprove(pending: PendingApproval, by: string, rejecting = false): void {
    if (!pending.eligible.includes(by))
      throw new Refused(`${by} is not an approver of step \`${pending.step}\` (approvers: ${whoThatIs(pending.approvers, pending.eligible)})`);
    if (!rejecting && !pending.allowRequester && by === this.run.input.startedBy) throw new Refused(`${by} started this run and may not approve it`);
  }

  private decide(req: DecideRequest, signer: Signer | undefined): string {
    const pending = this.waiting(req.step, 'decision');
    this.proven(pending, signer);
    if (pending.eligible.length > 0 && !pending.eligible.includes(req.by))
      throw new Refused(`${req.by} may not decide for step \`${req.step}\` (deciders: ${pending.eligible.join(', ')})`);
    if (this.answers.has(req.step)) throw new Refused(`step \`${req.step}\` has already been decided`);
    if (pending.decision === 'decide') {
      const names = (pending.choices ?? []).map((c) => c.name);
      if (typeof req.choice !== 'string' || !names.includes(req.choice)) throw new Refused(`\`choice\` must be one of ${names.join(', ')}`);
      this.answers.set(req.step, {
        by: req.by,
        choice: req.choice,
        ...(req.comment && { comment: req.comment }),
        ...(signer && { fingerprint: signer.fingerprint }),
      });
      return `step \`${req.step}\` decided by ${req.by}: ${req.choice}`;
    }
    if (req.values === undefined) throw new Refused('`values` must be an object that satisfies the step schema');
    const problem = fillValuesProblem(pending.schema ?? { type: 'object' }, req.values);
    if (problem !== undefined) throw new Refused(problem);
    this.answers.set(req.step, {
      by: req.by,
      values: req.values,
      ...(req.comment && { comment: req.comment }),
      ...(signer && { fingerprint: signer.fingerprint }),
    });
    return `step \`${req.step}\` filled by ${req.by}`;
  }
}

/** A pending request as a step builds it; its request time and deadline are set when the wait starts. */
export type Waiting<P> = Omit<P, 'requestedAt' | 'deadline'>;

/** The reminder and the escalation due before the deadline, soonest first. */
function reminders(route: NoticeRoute, now: number, end: number): Array<{ at: number; escalate: boolean; afterMs: number }> {
  const due = [
    ...(route.remindMs !== undefined ? [{ at: now + route.remindMs, escalate: false, afterMs: route.remindMs }] : []),
    ...(route.escalate ? [{ at: now + route.escalate.afterMs, escalate: true, afterMs: route.escalate.afterMs }] : []),
  ];
  return due.filter((d) => d.at < end).sort((a, b) => a.at - b.at);
}

function window(timeoutMs: number): { requestedAt: string; deadline: string } {
  const now = Date.now();
  return { requestedAt: new Date(now).toISOString(), deadline: new Date(now + timeoutMs).toISOString() };
}

function take<T>(map: Map<string, T>, key: string): T | undefined {
  const value = map.get(key);
  map.delete(key);
  return value;
}

/** The approvers as the runbook names them and, when groups are among them, the people that means now. */
function whoThatIs(named: readonly string[], eligible: readonly string[]): string {
  if (!named.some((n) => n.startsWith('group:'))) return named.join(', ');
  const shown = eligible.slice(0, 20).join(', ');
  return `${named.join(', ')} = ${shown}${eligible.length > 20 ? ` and ${eligible.length - 20} more` : ''}`;
}

/** A claimed value as text of at most `max` characters, for the audit trail. */
function clip(value: unknown, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
