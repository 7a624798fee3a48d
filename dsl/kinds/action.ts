// `uses`: one action as one activity, or a bounded poll (`until`/`every`) of it.
import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { ActionSpec } from '../catalog';
import type { CompensateStep, RetryPolicyJson, StepBase } from '../compiled-base';
import { compileLimit, GuardSchema, type CompiledLimit } from '../guard';
import { renderParameters, secretNames } from '../secrets';
import { doc, Duration, Expression } from '../schema-parts';
import { isRecord } from '../values';
import { DEFAULTS } from './defaults';
import type { Path } from '../load';
import type { CheckContext, KindDescriptor, KindNode } from './kind';
import { compensationSites } from './shared';

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
  /** Writes take fleet guards (concurrency, rates, budgets, pauses); reads never wait. */
  effect: 'read' | 'write';
  guard?: CompiledLimit;
}

const fields = () => ({
  uses: Type.Optional(Type.String(doc('The action to run, e.g. `shell`, `http`, `kubernetes`.'))),
  until: Type.Optional(Expression),
  every: Type.Optional(Duration),
  within: Type.Optional(Duration),
  maxPolls: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  readOnly: Type.Optional(
    Type.String({
      minLength: 1,
      ...doc(
        'Marks a step of a writing action (`shell`, `http`...) as a read, with the reason, e.g. "lists the rollout history only". Reads take no fleet guard and run while paused.',
      ),
    }),
  ),
  guard: Type.Optional(GuardSchema),
});
type ActionDoc = Static<TObject<ReturnType<typeof fields>>>;

const POLL_KEYS = ['every', 'within', 'maxPolls'];

export const action: KindDescriptor<ActionStep, Partial<ActionDoc>> = {
  kind: 'action',
  key: 'uses',
  accepts: ['with', 'until', 'every', 'within', 'maxPolls', 'compensate', 'retry', 'timeout', 'readOnly', 'guard'],
  fields,
  expressions: (node) => [
    { role: 'with', path: [...node.path, 'with'], value: node.raw.with },
    { role: 'until', path: [...node.path, 'until'], value: node.raw.until },
    { role: 'key', path: [...node.path, 'guard', 'key'], value: isRecord(node.raw.guard) ? node.raw.guard.key : undefined },
    ...compensationSites(node),
  ],
  check(node, ctx) {
    checkPoll(node, ctx);
    ctx.checkActionWith(node, node.raw.uses, node.raw.with, node.path);
    if (isRecord(node.raw.compensate)) ctx.checkActionWith(node, node.raw.compensate.uses, node.raw.compensate.with, [...node.path, 'compensate']);
    checkGuard(node, ctx);
    checkUndoTiming(node, ctx);
  },
  outputs(node, ctx) {
    const spec = typeof node.raw.uses === 'string' ? ctx.catalog.get(node.raw.uses) : undefined;
    const schema = spec?.output as { properties?: object; additionalProperties?: unknown } | undefined;
    // Only an action that lists all its outputs lets `validate` catch a typo in `steps.x.outputs.y`.
    return schema?.properties && schema.additionalProperties === false ? Object.keys(schema.properties) : undefined;
  },
  compile(raw, ctx) {
    const uses = raw.uses!;
    const idempotent = ctx.catalog.get(uses)?.idempotent ?? false;
    const compensate = ctx.compensate();
    const secrets = secretNames(raw.with);
    const effect = raw.readOnly !== undefined ? 'read' : effectOf(ctx.catalog.get(uses), raw.with ?? {});
    return {
      kind: 'action',
      effect,
      ...(raw.guard && effect === 'write' && { guard: compileLimit(raw.guard, (d) => ctx.ms(d, d)) }),
      uses,
      with: raw.with ?? {},
      ...(secrets.length > 0 && { secrets }),
      timeoutMs: ctx.ms(raw.timeout ?? ctx.defaults.timeout, DEFAULTS.actionTimeout),
      retry: ctx.retry(idempotent ? DEFAULTS.readRetry : DEFAULTS.writeRetry, ctx.defaults.retry, raw.retry),
      ...(raw.until !== undefined && {
        poll: {
          until: raw.until,
          everyMs: ctx.ms(raw.every, DEFAULTS.pollEvery),
          ...(raw.within !== undefined && { withinMs: ctx.ms(raw.within, DEFAULTS.pollEvery) }),
          ...(raw.maxPolls !== undefined && { maxPolls: raw.maxPolls }),
        },
      }),
      ...(compensate && { compensate }),
    };
  },
  describe: (step) => `uses ${step.uses}`,
  plan: (step, scope) => ({ uses: step.uses, with: renderParameters(step.with, scope).value }),
};

/** What an action does with these parameters; an action that cannot tell (a parameter is an expression) writes. */
export function effectOf(spec: ActionSpec | undefined, withValue: Record<string, unknown>): 'read' | 'write' {
  if (!spec) return 'write';
  return typeof spec.effect === 'function' ? spec.effect(withValue) : spec.effect;
}

/** A write can fail halfway; its undo then runs only if the runbook says so. Either way, the runbook says it. */
function checkUndoTiming(node: KindNode, ctx: CheckContext): void {
  const undo = node.raw.compensate;
  if (!isRecord(undo) || undo.when !== undefined || typeof node.raw.uses !== 'string') return;
  const withValue = isRecord(node.raw.with) ? node.raw.with : {};
  if (node.raw.readOnly !== undefined || effectOf(ctx.catalog.get(node.raw.uses), withValue) !== 'write') return;
  ctx.report(
    'partial-undo',
    [...node.path, 'compensate'],
    `step \`${node.id}\` writes, and its undo runs only once the step completes, although a failed attempt may have changed something`,
    'say `when: attempted` to undo failed attempts too, or `when: completed` if a failed attempt changes nothing',
    'key',
    'warning',
  );
}

function checkGuard(node: KindNode, ctx: CheckContext): void {
  const guard = node.raw.guard;
  if (!isRecord(guard)) return;
  const path = [...node.path, 'guard'];
  checkLimitShape(guard, path, ctx);
  const spec = typeof node.raw.uses === 'string' ? ctx.catalog.get(node.raw.uses) : undefined;
  const withValue = isRecord(node.raw.with) ? node.raw.with : {};
  if (node.raw.readOnly !== undefined || (spec && effectOf(spec, withValue) === 'read')) {
    ctx.report('guard-on-read', path, `step \`${node.id}\` reads, and reads never take a guard`, 'guard the step that writes', 'key', 'warning');
  }
}

/** A guard limits something, and its queue keys mean nothing unless it queues. */
export function checkLimitShape(guard: Record<string, unknown>, path: Path, ctx: CheckContext): void {
  if (guard.limit === undefined && guard.rate === undefined) {
    ctx.report(
      'guard-without-limit',
      path,
      'a guard needs a `limit`, a `rate`, or both',
      'e.g. `limit: 1` for one at a time, `rate: { limit: 3, per: 1h }`',
      'key',
    );
  }
  if ((guard.onBusy ?? 'queue') !== 'queue') {
    for (const key of ['maxWait', 'onMaxWait']) {
      if (guard[key] !== undefined) ctx.report('misplaced-key', [...path, key], `\`${key}\` only applies with \`onBusy: queue\``, undefined, 'key');
    }
  }
}

/** A poll must be bounded, and its keys mean nothing without `until`. */
function checkPoll(node: KindNode, ctx: CheckContext): void {
  const raw = node.raw;
  if (raw.until === undefined) {
    for (const key of POLL_KEYS) {
      if (raw[key] !== undefined) ctx.report('misplaced-key', [...node.path, key], `\`${key}\` only applies with \`until\``, undefined, 'key');
    }
    return;
  }
  if (raw.within === undefined && raw.maxPolls === undefined) {
    ctx.report(
      'unbounded-poll',
      [...node.path, 'until'],
      `step \`${node.id}\` polls until a condition holds, but nothing bounds it`,
      'add `within: 10m` or `maxPolls: 20`',
      'key',
    );
  }
}
