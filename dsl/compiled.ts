// The compiled runbook: the workflow's input, so history holds the exact definition that ran.
// Plain JSON only. Durations are milliseconds, routes are resolved, defaults are applied.
import type { CompiledConcurrency } from './guard';
import type { CompiledStep } from './kinds';
import type { InputDoc, SecretDoc, TriggerDoc } from './schema';

export const COMPILED_FORMAT = 1;

export interface CompiledRunbook {
  format: typeof COMPILED_FORMAT;
  name: string;
  description?: string;
  /** sha256 of the definition (positions and comments excluded), hex. */
  hash: string;
  /** Where it was loaded from, for messages only. */
  file: string;
  triggers: TriggerDoc[];
  inputs: Record<string, InputDoc>;
  secrets: Record<string, SecretDoc>;
  onResolved: 'continue' | 'stop';
  model?: string;
  /** One remediation per key (fleet guards, workflows/governor/). */
  concurrency?: CompiledConcurrency;
  /** First top-level step. */
  entry: string;
  steps: Record<string, CompiledStep>;
  outputs: Record<string, unknown>;
  children: Record<string, CompiledRunbook>;
}
