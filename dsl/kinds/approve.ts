// `approve`: waits for enough distinct approvals of the exact plan of the step it leads to.
import { Type, type Static } from '@sinclair/typebox';
import { FAIL, type Route, type StepBase } from '../compiled-base';
import { doc, Duration, ReminderFields, Route as RouteSchema, type Reminders } from '../schema-parts';
import { reminders } from './reminders';
import { isRecord } from '../values';
import { keyRoute } from '../route-labels';
import { DEFAULTS } from './defaults';
import { propertyNames, type CheckContext, type KindDescriptor, type KindNode } from './kind';

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
  /** Approvals and rejections must carry their SSH signature (contract/signing.ts). */
  signed?: true;
  /** When to remind and whom to escalate to, if the step says (otherwise the people file's defaults). */
  reminders?: Reminders;
}

/** What `steps.<id>.outputs` holds after an approval. */
export const ApproveOutputs = Type.Object({
  outcome: Type.Union([Type.Literal('approved'), Type.Literal('rejected'), Type.Literal('timed-out'), Type.Literal('stopped')]),
  approvedBy: Type.Array(Type.String()),
  planHash: Type.String(),
  rejectedBy: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});
export type ApproveOutputs = Static<typeof ApproveOutputs>;

const ApproveSchema = Type.Object(
  {
    approvers: Type.Array(Type.String(), { minItems: 1, ...doc('People, or `group:<name>` from the groups file.') }),
    minApprovals: Type.Optional(Type.Integer({ minimum: 1, ...doc('Distinct approvers needed. Default 1.') })),
    allowRequester: Type.Optional(Type.Boolean(doc('May whoever started the run approve it? Default false.'))),
    timeout: Type.Optional(Duration),
    onTimeout: Type.Optional(RouteSchema),
    onReject: Type.Optional(RouteSchema),
    ...ReminderFields,
    signed: Type.Optional(
      Type.Boolean(
        doc('Approvals and rejections must carry the SSH signature of a key the people file lists for the approver (docs/approvals.md). Default false.'),
      ),
    ),
  },
  { additionalProperties: false, ...doc('Waits for human approval of the exact plan of the step that follows it (its rendered parameters).') },
);
type ApproveDoc = Static<typeof ApproveSchema>;

export const approve: KindDescriptor<ApproveStep, { approve?: ApproveDoc }> = {
  kind: 'approve',
  key: 'approve',
  accepts: [],
  fields: () => ({ approve: Type.Optional(ApproveSchema) }),
  routes(node) {
    const a = isRecord(node.raw.approve) ? node.raw.approve : {};
    return (['onTimeout', 'onReject'] as const).flatMap((key) =>
      a[key] !== undefined ? [{ label: keyRoute(key), path: [...node.path, 'approve', key], route: a[key] }] : [],
    );
  },
  check(node, ctx) {
    if (!isRecord(node.raw.approve)) return;
    checkTarget(node, ctx);
    const approve = node.raw.approve;
    const approvers = Array.isArray(approve.approvers) ? approve.approvers.filter((a): a is string => typeof a === 'string') : [];
    const min = typeof approve.minApprovals === 'number' ? approve.minApprovals : 1;
    const people = new Set(approvers.filter((a) => !a.startsWith('group:')));
    if (approvers.length > 0 && people.size === approvers.length && min > people.size) {
      ctx.report(
        'invalid-value',
        [...node.path, 'approve', 'minApprovals'],
        `\`minApprovals\` is ${min} but only ${people.size} approver(s) are named`,
        'name more approvers, or a group',
      );
    }
  },
  outputs: () => propertyNames(ApproveOutputs),
  compile(raw, ctx) {
    const a = raw.approve!;
    return {
      kind: 'approve',
      guards: ctx.successor ?? '',
      approvers: a.approvers,
      minApprovals: a.minApprovals ?? 1,
      allowRequester: a.allowRequester ?? false,
      timeoutMs: ctx.ms(a.timeout, DEFAULTS.approvalTimeout),
      onTimeout: a.onTimeout ?? FAIL,
      onReject: a.onReject ?? FAIL,
      ...(a.signed && { signed: true as const }),
      ...reminders(a, ctx),
    };
  },
  describe: () => 'approve',
};

/** The approval must lead to a step it can show the plan of, and be the only way into it. */
function checkTarget(node: KindNode, ctx: CheckContext): void {
  const guarded = ctx.successor(node);
  if (guarded === 'end' || 'word' in guarded) {
    ctx.report(
      'bad-approval-target',
      [...node.path, 'approve'],
      `approval step \`${node.id}\` leads to no step, so there is nothing to approve`,
      'put the risky step right after it (or name it with `next`)',
      'key',
    );
    return;
  }
  if (!guarded.kindKey || !ctx.guardableKeys.includes(guarded.kindKey)) {
    const kinds = ctx.guardableKeys.map((k) => `\`${k}\``);
    ctx.report(
      'bad-approval-target',
      [...node.path, 'approve'],
      `approval step \`${node.id}\` leads to \`${guarded.step.id}\`, a \`${guarded.kindKey ?? 'malformed'}\` step`,
      `an approval guards a ${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)} step, whose plan it shows`,
      'key',
    );
  }
  checkOnlyPathThroughApproval(node, guarded.step, ctx);
}

/** A guarded step must be reachable only through its approval's approved route. */
function checkOnlyPathThroughApproval(approval: KindNode, guarded: KindNode, ctx: CheckContext): void {
  if (guarded.index === 0) {
    ctx.report(
      'unguarded-path',
      [...guarded.path, 'id'],
      `step \`${guarded.id}\` needs the approval of \`${approval.id}\` but is where its block starts`,
      'put the approval before it',
    );
  }
  for (const { from, label, path } of ctx.routesInto(guarded)) {
    if (from === approval && label === '`next`') continue;
    const how = from === approval ? (label === 'skipped' ? 'when its `if` skips it' : `through ${label}`) : `from step \`${from.id}\` (${label})`;
    ctx.report(
      'unguarded-path',
      path,
      `step \`${guarded.id}\` needs the approval of \`${approval.id}\` but can be reached without it, ${how}`,
      'route to the approval step instead',
      label === 'skipped' ? 'key' : 'value',
    );
  }
}
