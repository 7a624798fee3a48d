// `wait`: a durable timer.
import { Type } from '@sinclair/typebox';
import type { StepBase } from '../compiled-base';
import { Duration } from '../schema-parts';
import type { KindDescriptor } from './kind';

export interface WaitStep extends StepBase {
  kind: 'wait';
  durationMs: number;
}

export const wait: KindDescriptor<WaitStep, { wait?: string }> = {
  kind: 'wait',
  key: 'wait',
  accepts: [],
  fields: () => ({ wait: Type.Optional(Duration) }),
  outputs: () => [],
  compile: (raw, ctx) => ({ kind: 'wait', durationMs: ctx.ms(raw.wait, '0s') }),
  describe: () => 'wait',
};
