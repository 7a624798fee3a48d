// `foreach`: its steps once per item, at most `concurrency` at a time.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { StepBase } from '../compiled-base';
import { hasExpression, renderTemplate } from '../expressions';
import { doc, Expression } from '../schema-parts';
import { isRecord } from '../values';
import { DEFAULTS } from './defaults';
import { propertyNames, type KindDescriptor } from './kind';

export interface ForeachStep extends StepBase {
  kind: 'foreach';
  items: string;
  as: string;
  concurrency: number;
  maxItems: number;
  /** First step of the body. */
  body: string;
}

/** What `steps.<id>.outputs` holds after a foreach: one entry per item. */
export const ForeachOutputs = Type.Object({
  iterations: Type.Array(
    Type.Object({
      item: Type.Unknown(),
      status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('not-run')]),
      error: Type.Optional(Type.String()),
      steps: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
});
export type ForeachOutputs = Static<typeof ForeachOutputs>;

/** Names expressions already mean; a loop variable cannot take one. */
const RESERVED_NAMES = ['inputs', 'steps', 'alert', 'run', 'secrets', 'result'];

const fields = (step: TSchema) => ({
  foreach: Type.Optional(
    Type.Object(
      {
        items: Expression,
        as: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]*$', ...doc('Name of the loop variable. Default `item`.') })),
        concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, ...doc('Iterations in flight at once. Default 1.') })),
        maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, ...doc('More items than this fails the step. Default 100.') })),
        steps: Type.Array(step, { minItems: 1 }),
      },
      { additionalProperties: false, ...doc('Runs its steps once per item, with a concurrency bound.') },
    ),
  ),
});

type ForeachDoc = { foreach?: { items: string; as?: string; concurrency?: number; maxItems?: number; steps: Array<{ id: string }> } };

export const foreach: KindDescriptor<ForeachStep, ForeachDoc> = {
  kind: 'foreach',
  key: 'foreach',
  accepts: [],
  fields,
  nested: (node) =>
    isRecord(node.raw.foreach) && Array.isArray(node.raw.foreach.steps)
      ? [{ role: 'body', steps: node.raw.foreach.steps, path: [...node.path, 'foreach', 'steps'] }]
      : [],
  loopVariable: (node) => (isRecord(node.raw.foreach) ? (typeof node.raw.foreach.as === 'string' ? node.raw.foreach.as : 'item') : undefined),
  expressions: (node) => [{ role: 'items', path: [...node.path, 'foreach', 'items'], value: isRecord(node.raw.foreach) ? node.raw.foreach.items : undefined }],
  check(node, ctx) {
    if (!isRecord(node.raw.foreach)) return;
    const name = node.raw.foreach.as;
    if (typeof name === 'string' && RESERVED_NAMES.includes(name)) {
      ctx.report('invalid-value', [...node.path, 'foreach', 'as'], `\`${name}\` is a reserved name and cannot be a loop variable`);
    }
    if (typeof node.raw.foreach.items === 'string' && !hasExpression(node.raw.foreach.items)) {
      ctx.report('wrong-type', [...node.path, 'foreach', 'items'], '`items` must be an expression that gives a list, e.g. `${{ steps.pods.outputs.items }}`');
    }
  },
  outputs: () => propertyNames(ForeachOutputs),
  compile(raw) {
    const f = raw.foreach!;
    return {
      kind: 'foreach',
      items: f.items,
      as: f.as ?? 'item',
      concurrency: f.concurrency ?? DEFAULTS.foreachConcurrency,
      maxItems: f.maxItems ?? DEFAULTS.foreachMaxItems,
      body: f.steps[0]!.id,
    };
  },
  describe: () => 'foreach',
  plan(step, scope) {
    const items = renderTemplate(step.items, scope);
    return { items: Array.isArray(items) ? items : [items] };
  },
};
