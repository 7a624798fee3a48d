// The no-op action both benchmark workflows call.
import { Type } from '@sinclair/typebox';
import { defineAction } from '../../activities/action';

export const noop = defineAction({
  name: 'bench.noop',
  description: 'Does nothing.',
  input: Type.Object({ n: Type.Integer() }, { additionalProperties: false }),
  output: Type.Object({ n: Type.Integer() }, { additionalProperties: false }),
  idempotent: true,
  effect: 'read',
  async run(input) {
    return { n: input.n };
  },
});
