// What a step and a block report back to the interpreter.
import type { Route } from '../dsl/compiled-base';
import type { CompiledStep } from '../dsl/kinds';
import type { Frame } from './run';

export type StepOutcome =
  | {
      ok: true;
      outputs?: unknown;
      /** Overrides the step's `next` (choices, approval routes). */
      route?: Route | null;
      /** Which of its kind's routes the step took, as dsl/route-labels.ts names it (the run's trail, test coverage). */
      taken?: string;
    }
  | { ok: false; error: string; outputs?: unknown };

export type BlockOutcome =
  | { kind: 'completed' }
  | { kind: 'ended'; status: 'success' | 'failure'; reason: string; stepId: string; stopped?: boolean }
  | { kind: 'failed'; reason: string; stepId: string };

export type RunBlock = (entry: string, frame: Frame) => Promise<BlockOutcome>;

/** Everything a step kind needs: where it runs, and how to run nested blocks. */
export interface StepContext {
  frame: Frame;
  runBlock: RunBlock;
}

export type StepHandler<S extends CompiledStep> = (step: S, ctx: StepContext) => Promise<StepOutcome>;

/** Why a block failed (it failed, or ended with `end: failure`), or undefined when it did not. */
export function failureOf(outcome: BlockOutcome): string | undefined {
  return outcome.kind === 'failed' || (outcome.kind === 'ended' && outcome.status === 'failure') ? outcome.reason : undefined;
}

/** A step that succeeded; the type parameter ties a kind's outputs to the schema its descriptor declares. */
export const ok = <Outputs = unknown>(outputs?: Outputs, route?: Route | null, taken?: string): StepOutcome => ({
  ok: true,
  outputs,
  ...(route !== undefined && { route }),
  ...(taken !== undefined && { taken }),
});
export const failed = (error: string, outputs?: unknown): StepOutcome => ({ ok: false, error, ...(outputs !== undefined && { outputs }) });
