// An action is one file: a name, a JSON Schema for its `with`, one for its outputs, and a
// function. The worker exposes each action as a Temporal activity of the same name.
import type { Static, TSchema } from '@sinclair/typebox';
import type { ActionProblem, ActionSpec } from '../dsl/catalog';

export interface ActionContext {
  /** Aborted when Temporal cancels the activity (run cancelled, timeout, parallel sibling failed). */
  signal: AbortSignal;
  /** Records progress; also how Temporal notices a dead worker quickly. */
  heartbeat(details?: unknown): void;
  log: { info(message: string, meta?: Record<string, unknown>): void; warn(message: string, meta?: Record<string, unknown>): void };
  stepId: string;
  runbook: string;
}

export interface ActionDefinition<I = never, O = unknown> extends ActionSpec {
  run(input: I, context: ActionContext): Promise<O>;
}

/** Declares an action with its input and output types inferred from the schemas. */
export function defineAction<In extends TSchema, Out extends TSchema>(definition: {
  name: string;
  description: string;
  input: In;
  output: Out;
  idempotent: boolean;
  /** Required: guards, budgets and the kill switch act on writes (dsl/catalog.ts). */
  effect: ActionSpec['effect'];
  asTool?: ActionSpec['asTool'];
  check?(withValue: Record<string, unknown>): ActionProblem[];
  run(input: Static<In>, context: ActionContext): Promise<Static<Out>>;
}): ActionDefinition<Static<In>, Static<Out>> {
  return definition;
}

// The registry holds actions of different input types (methods are bivariant in their parameters);
// each validates its own input at run time.
export type AnyAction = ActionDefinition<unknown, unknown>;
