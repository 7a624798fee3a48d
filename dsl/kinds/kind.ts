// A step kind is one descriptor (this interface, one file per kind in dsl/kinds/) and one handler
// (workflows/steps/). The descriptor is everything the language knows about the kind: its keys,
// the routes it can take, its checks, its outputs, how it compiles, how it is shown and what an
// approval of it approves. The checker, the compiler, the plan, the Web UI details and the
// reports read the table in dsl/kinds/index.ts, which the compiler proves complete.
import type { TSchema } from '@sinclair/typebox';
import type { ActionCatalog } from '../catalog';
import type { CompensateStep, HumanFallback, RetryPolicyJson, StepBase } from '../compiled-base';
import type { DiagnosticCode } from '../diagnostics';
import type { Scope } from '../expressions';
import type { Path } from '../load';
import type { CommonStepDoc, HumanDoc, KindFields, RetryDoc } from '../schema-parts';

/** A step as the checker sees it: written by hand, so possibly malformed. */
export interface KindNode {
  id: string;
  raw: Record<string, unknown>;
  /** Path of the step in the file. */
  path: Path;
  /** Position in its block. */
  index: number;
}

/** A route a kind adds (beyond `next`, a skipping `if` and `onFailure`, which every step has). */
export interface RouteDecl {
  /** How messages name it, e.g. "choice `rollback`". */
  label: string;
  /** Where it is written. */
  path: Path;
  /** What it names; absent: where the step goes on normally (its `next`, or the step below). */
  route?: unknown;
}

/** Steps a step holds: each parallel branch, a foreach body. Each is a block of its own for routes and reads. */
export interface NestedBlock {
  role: 'branch' | 'body';
  /** The steps as written. */
  steps: unknown[];
  /** Path of each step: a branch is one step at `[...path, 'parallel', i]`; a body's steps are below `path`. */
  path: Path;
  /** A branch is a single step, not a list. */
  single?: boolean;
}

/** What an expression may read depends on where it stands: `secrets` only in an action's `with`, `result` only in `until`... */
export type ExpressionRole = 'condition' | 'with' | 'tool-with' | 'child-with' | 'until' | 'items' | 'text' | 'prompt' | 'compensate' | 'outputs' | 'key';

export interface ExpressionSite {
  role: ExpressionRole;
  path: Path;
  value: unknown;
}

/** What the checker knows of another runbook, for `runbook:` steps. */
export interface ChildInfo {
  inputs: Record<string, { default?: unknown }>;
  outputs: string[];
  /** Set for a runbook already reported as a cycle: exists, but is not checked again. */
  cyclic?: boolean;
}

/** What a kind's checks may ask of the checker. */
export interface CheckContext {
  readonly catalog: ActionCatalog;
  child(name: string): ChildInfo | undefined;
  report(code: DiagnosticCode, path: Path, message: string, hint?: string, part?: 'key' | 'value', severity?: 'error' | 'warning'): void;
  /** Checks the `with` of an action (its schema, and the action's own checks); values that are expressions are skipped. */
  checkActionWith(node: KindNode, uses: unknown, withValue: unknown, at: Path, options?: { partial?: boolean }): void;
  /** The kind key of the one step with this id, or undefined when there is none (or several). */
  kindKeyOf(id: string): string | undefined;
  /** Checks that `node` may read step `id`: it exists and runs before `node` on every path. */
  checkStepReference(node: KindNode, id: string, path: Path): void;
  /** Why a JSON Schema cannot be compiled, or undefined. */
  schemaProblem(schema: Record<string, unknown>): string | undefined;
  /** The step a step leads to when it succeeds without routing: a step of its block (and its kind's key), a route word, or the block's end. */
  successor(node: KindNode): { step: KindNode; kindKey: string | undefined } | { word: string } | 'end';
  /** The keys of the kinds an approval can guard (those with a plan). */
  readonly guardableKeys: readonly string[];
  /** Every route into `node` from a step of its block. */
  routesInto(node: KindNode): Array<{ from: KindNode; label: string; path: Path }>;
}

/** What compiling a step of any kind needs. */
export interface CompileContext {
  /** The fields every compiled step has, already built. */
  base: StepBase;
  catalog: ActionCatalog;
  defaults: { timeout?: string; retry?: RetryDoc; model?: string };
  /** The id of the step this one leads to when it succeeds without routing, if it is a step. */
  successor: string | undefined;
  ms(duration: string | undefined, fallback: string): number;
  retry(...layers: Array<RetryDoc | undefined>): RetryPolicyJson;
  compensate(): CompensateStep | undefined;
  human(h: HumanDoc | undefined): HumanFallback;
}

/** What an approval of a step approves, besides the step's id: its rendered parameters. */
export interface PlanFields {
  uses?: string;
  runbook?: string;
  with?: Record<string, unknown>;
  items?: unknown[];
}

type Compiled = StepBase & { kind: string };

export interface KindDescriptor<S extends Compiled, Doc = unknown> {
  /** The compiled kind, as the interpreter dispatches on it. */
  readonly kind: S['kind'];
  /** The key that makes a written step this kind (`end` alone makes an `end` step). */
  readonly key: string;
  /** Keys every step may carry that mean something to this kind (`with`, `timeout`, `retry`, `compensate`, ...). */
  readonly accepts: readonly string[];
  /** The kind's own keys, as schema properties of a step. */
  readonly fields: KindFields;
  /** The routes this kind adds. */
  routes?(node: KindNode): RouteDecl[];
  /** True when the kind's routes stand instead of `next` (a decision routes through its choices). */
  replacesNext?(node: KindNode): boolean;
  /** Blocks of steps the step holds. */
  nested?(node: KindNode): NestedBlock[];
  /** The name a step's body reads for the current item (foreach). */
  loopVariable?(node: KindNode): string | undefined;
  /** Where the kind's keys hold `${{ }}` expressions, and what they may read. */
  expressions?(node: KindNode): ExpressionSite[];
  check?(node: KindNode, ctx: CheckContext): void;
  /** The names under `steps.<id>.outputs`; undefined when they cannot be known before the run. */
  outputs(node: KindNode, ctx: CheckContext): readonly string[] | undefined;
  compile(raw: CommonStepDoc & Doc, ctx: CompileContext): Omit<S, keyof StepBase>;
  /** One line for the Web UI's details and for reports, e.g. `uses shell`. */
  describe(step: S): string;
  /** Present for kinds an approval can guard: what the approval approves. */
  plan?(step: S, scope: Scope): PlanFields;
}

/** The names of a TypeBox object schema's properties, for `outputs`. */
export function propertyNames(schema: TSchema): string[] {
  return Object.keys((schema as { properties?: object }).properties ?? {});
}
