// Defaults a careful SRE would pick; docs/runbook-language.md states each one.
import type { RetryDoc } from '../schema-parts';

export const DEFAULTS = {
  actionTimeout: '5m',
  advisorTimeout: '2m',
  humanTimeout: '1h',
  approvalTimeout: '1h',
  pollEvery: '30s',
  minConfidence: 0.7,
  foreachConcurrency: 1,
  foreachMaxItems: 100,
  /** Reads are retried: 3 attempts, 1 s doubling to 30 s. */
  readRetry: { maxAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } satisfies RetryDoc,
  /** Writes run once unless the runbook asks for retries. */
  writeRetry: { maxAttempts: 1 } satisfies RetryDoc,
  investigateCalls: 10,
  investigateTokens: 100_000,
  investigateTime: '10m',
  toolTimeout: '1m',
  advisorRetry: { maxAttempts: 4, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s' } satisfies RetryDoc,
};
