// Fleet guards as a runbook declares them: a concurrency key with a limit, a rate, and what to do
// when the key is busy. The runbook-level `concurrency` holds one slot per run (from its first
// write to its end, given back while it waits for a person); a step's `guard` holds its slot for
// that step only. Only write steps take slots (reads never wait). The governor workflow
// (workflows/governor/) enforces them; this file is the language side: schema and compiled form.
import { Type, type Static } from '@sinclair/typebox';
import { doc, Duration, Expression } from './schema-parts';

export const BUSY_ROUTES = ['queue', 'skip', 'fail'] as const;
export type BusyRoute = (typeof BUSY_ROUTES)[number];
export const PAUSED_ROUTES = ['wait', 'skip', 'fail'] as const;
export type PausedRoute = (typeof PAUSED_ROUTES)[number];

const limitFields = () => ({
  key: Expression,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, ...doc('At most this many holders of the key at once.') })),
  rate: Type.Optional(
    Type.Object(
      {
        limit: Type.Integer({ minimum: 1, maximum: 100_000 }),
        per: Duration,
      },
      { additionalProperties: false, ...doc('At most `limit` grants of the key per sliding window `per` (e.g. 3 per 1h).') },
    ),
  ),
  onBusy: Type.Optional(
    Type.Union(
      BUSY_ROUTES.map((r) => Type.Literal(r)),
      doc(
        'When the key is at its limit or rate: `queue` (wait in line, default), `skip` (end the run with the reason) or `fail` (the step fails: `onFailure` can escalate).',
      ),
    ),
  ),
  maxWait: Type.Optional(Duration),
  onMaxWait: Type.Optional(
    Type.Union(
      [Type.Literal('skip'), Type.Literal('fail')],
      doc('After `maxWait` in the queue: `fail` (default: the step fails, `onFailure` can escalate) or `skip` (end the run with the reason).'),
    ),
  ),
});

export const GuardSchema = Type.Object(limitFields(), {
  additionalProperties: false,
  ...doc('A fleet guard on this write step: a key (e.g. `restart:${{ inputs.service }}`) with a concurrency limit and/or a rate.'),
});

export const ConcurrencySchema = Type.Object(
  {
    ...limitFields(),
    onPaused: Type.Optional(
      Type.Union(
        PAUSED_ROUTES.map((r) => Type.Literal(r)),
        doc('While a pause (`runbook pause`, a tripped breaker) covers this run: `wait` at the write step (default), `skip` (end the run) or `fail`.'),
      ),
    ),
    breaker: Type.Optional(
      Type.Object(
        {
          failures: Type.Integer({ minimum: 1, maximum: 1000 }),
          within: Duration,
          per: Type.Optional(Type.Union([Type.Literal('runbook'), Type.Literal('key')], doc('Count failures per runbook (default) or per runbook and key.'))),
        },
        { additionalProperties: false, ...doc('Pause this runbook after this many failed runs within the window, until a person resumes it.') },
      ),
    ),
  },
  { additionalProperties: false, ...doc('One remediation per key at a time (e.g. per service), counted over the write steps of the run.') },
);

export type GuardDoc = Static<typeof GuardSchema>;
export type ConcurrencyDoc = Static<typeof ConcurrencySchema>;

export interface CompiledLimit {
  /** A template, rendered when the write step is about to start. */
  key: string;
  limit?: number;
  rate?: { limit: number; perMs: number };
  onBusy: BusyRoute;
  maxWaitMs?: number;
  onMaxWait: 'skip' | 'fail';
}

export interface CompiledConcurrency extends CompiledLimit {
  onPaused: PausedRoute;
  breaker?: { failures: number; withinMs: number; per: 'runbook' | 'key' };
}

export function compileLimit(raw: GuardDoc, ms: (d: string) => number): CompiledLimit {
  return {
    key: raw.key,
    ...(raw.limit !== undefined && { limit: raw.limit }),
    ...(raw.rate && { rate: { limit: raw.rate.limit, perMs: ms(raw.rate.per) } }),
    onBusy: raw.onBusy ?? 'queue',
    ...(raw.maxWait !== undefined && { maxWaitMs: ms(raw.maxWait) }),
    onMaxWait: raw.onMaxWait ?? 'fail',
  };
}

export function compileConcurrency(raw: ConcurrencyDoc, ms: (d: string) => number): CompiledConcurrency {
  return {
    ...compileLimit(raw, ms),
    onPaused: raw.onPaused ?? 'wait',
    ...(raw.breaker && { breaker: { failures: raw.breaker.failures, withinMs: ms(raw.breaker.within), per: raw.breaker.per ?? 'runbook' } }),
  };
}
