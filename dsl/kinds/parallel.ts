// `parallel`: branches that run at once; the first failure cancels the others.
import { Type, type TSchema } from '@sinclair/typebox';
import type { StepBase } from '../compiled-base';
import { doc } from '../schema-parts';
import type { KindDescriptor } from './kind';

export interface ParallelStep extends StepBase {
  kind: 'parallel';
  /** The step each branch is (branches are one step each). */
  branches: string[];
}

export const parallel: KindDescriptor<ParallelStep, { parallel?: Array<{ id: string }> }> = {
  kind: 'parallel',
  key: 'parallel',
  accepts: [],
  fields: (step: TSchema) => ({
    parallel: Type.Optional(Type.Array(step, { minItems: 2, ...doc('Branches that run at once; the first failure cancels the others.') })),
  }),
  nested: (node) =>
    Array.isArray(node.raw.parallel)
      ? node.raw.parallel.map((branch, i) => ({ role: 'branch' as const, steps: [branch], path: [...node.path, 'parallel', i], single: true }))
      : [],
  outputs: () => [],
  compile: (raw) => ({ kind: 'parallel', branches: raw.parallel!.map((b) => b.id) }),
  describe: () => 'parallel',
};
