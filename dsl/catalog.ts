// What the language needs to know about actions to check a runbook: names and schemas.
// The functions that run them live in activities/; dsl/ stays free of I/O.
import type { TSchema } from '@sinclair/typebox';

export interface ActionSpec {
  name: string;
  description: string;
  /** JSON Schema of the step's `with`. */
  input: TSchema;
  /** JSON Schema of `steps.<id>.outputs`. */
  output: TSchema;
  /** Reads are retried by default; writes run once unless the runbook asks for retries. */
  idempotent: boolean;
  /**
   * Whether the action changes the world. Fleet guards, budgets and the kill switch count and stop
   * writes only. A function decides from the step's `with` (an expression there means write).
   */
  effect: 'read' | 'write' | ((withValue: Record<string, unknown>) => 'read' | 'write');
  /**
   * Whether an `investigate` step may offer the action to the model as a tool. By default its
   * `effect` decides (reads only). `never`: it reaches people or systems without changing them in
   * the guards' sense, and is still no read (notifications). `pin`: its effect cannot be seen from
   * its parameters (`shell`, `http`): offered only with the runbook's `readOnly` reason and these
   * keys fixed by the runbook, to one of the values listed (`true`: any fixed value).
   */
  asTool?: 'never' | { pin: Record<string, true | readonly string[]> };
  /**
   * Checks beyond the schema on a step's `with`, at validate time (values that are expressions
   * are not known yet and are skipped by the action). Each problem names the key it is about.
   */
  check?(withValue: Record<string, unknown>): ActionProblem[];
}

export interface ActionProblem {
  /** Path inside `with`. */
  path: Array<string | number>;
  code: 'dangerous-env';
  message: string;
  hint?: string;
  part?: 'key' | 'value';
}

export type ActionCatalog = ReadonlyMap<string, ActionSpec>;

/** Finds another runbook by name, for child `runbook:` steps. */
export type RunbookResolver = (name: string) => { file: string; text: string } | undefined;
