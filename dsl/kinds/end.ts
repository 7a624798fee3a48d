// `end` alone: a step that only ends the run (`end: success` or `end: failure`, with a `reason`).
import type { StepBase } from '../compiled-base';
import type { KindDescriptor } from './kind';

export interface EndStep extends StepBase {
  kind: 'end';
}

export const end: KindDescriptor<EndStep> = {
  kind: 'end',
  // `end` is a key every step may carry; a step with no other kind key is an end step.
  key: 'end',
  accepts: [],
  fields: () => ({}),
  outputs: () => [],
  compile: () => ({ kind: 'end' }),
  describe: () => 'end',
};
