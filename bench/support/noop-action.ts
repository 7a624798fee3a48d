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

/** The same no-op declared a write: it passes the fleet guards. */
export const noopWrite = { ...noop, name: 'bench.noop-write', description: 'Does nothing, as a write.', idempotent: false, effect: 'write' as const };
