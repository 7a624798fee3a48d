// The table of step kinds. Its type makes it complete: a compiled kind without a descriptor (or
// a descriptor whose `kind` does not match its slot) does not compile. The order is the order
// the language reference and messages list them in.
import type { ActionStep } from './action';
import { action } from './action';
import type { ApproveStep } from './approve';
import { approve } from './approve';
import type { ChildStep } from './child';
import { child } from './child';
import type { DecideStep } from './decide';
import { decide } from './decide';
import type { EndStep } from './end';
import { end } from './end';
import type { FillStep } from './fill';
import { fill } from './fill';
import type { ForeachStep } from './foreach';
import { foreach } from './foreach';
import type { KindDescriptor } from './kind';
import type { InvestigateStep } from './investigate';
import { investigate } from './investigate';
import type { ParallelStep } from './parallel';
import { parallel } from './parallel';
import type { WaitStep } from './wait';
import { wait } from './wait';

export type CompiledStep = ActionStep | WaitStep | ParallelStep | ForeachStep | ChildStep | DecideStep | FillStep | InvestigateStep | ApproveStep | EndStep;
export type StepKind = CompiledStep['kind'];
export type StepOfKind<K extends StepKind> = Extract<CompiledStep, { kind: K }>;

// `unknown` for the written form: each descriptor states its own, and the table only needs the compiled one.
type Table = { readonly [K in StepKind]: KindDescriptor<StepOfKind<K>, never> };

export const KINDS: Table = { action, wait, parallel, foreach, runbook: child, decide, fill, investigate, approve, end };

export const KIND_LIST: ReadonlyArray<Table[StepKind]> = Object.values(KINDS);

/** The descriptor of a compiled step's kind. */
export function kindOf<K extends StepKind>(step: StepOfKind<K>): KindDescriptor<StepOfKind<K>, never> {
  return KINDS[step.kind as K] as KindDescriptor<StepOfKind<K>, never>;
}

/** The keys that make a written step one kind or another (`end` alone aside). */
export const STEP_KIND_KEYS: readonly string[] = KIND_LIST.filter((k) => k !== end).map((k) => k.key);

/** The descriptor a key makes a written step, by key. */
export function kindByKey(key: string): Table[StepKind] | undefined {
  return KIND_LIST.find((k) => k.key === key);
}

/** Keys some kinds give meaning to, and which kinds (by key) those are. */
export const CONDITIONAL_KEYS: ReadonlyMap<string, readonly string[]> = new Map(
  [...new Set(KIND_LIST.flatMap((k) => k.accepts))].map((key) => [key, KIND_LIST.filter((k) => k.accepts.includes(key)).map((k) => k.key)]),
);

/** Keys of the kinds an approval can guard: those with a plan to show; steps that do one thing (an action, a child run) before those that hold steps. */
export const GUARDABLE_KEYS: readonly string[] = [
  ...KIND_LIST.filter((k) => k.plan !== undefined && k.nested === undefined),
  ...KIND_LIST.filter((k) => k.plan !== undefined && k.nested !== undefined),
].map((k) => k.key);
