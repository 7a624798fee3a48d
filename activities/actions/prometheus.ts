// `prometheus.query`: an instant query over Prometheus' HTTP API; the first sample's value and
// labels for the common single-series case, and the series (capped) for the rest.
import { ApplicationFailure } from '@temporalio/common';
import { Type } from '@sinclair/typebox';
import { parseDuration } from '../../dsl/durations';
import { DURATION_PATTERN } from '../../dsl/schema-parts';
import { defineAction } from '../action';
import { failForStatus, request } from '../http-client';

const MAX_SERIES = 100;
/** An instant query's answer bigger than this is a query to narrow, not evidence to keep. */
const MAX_RESPONSE_BYTES = 8 * 1_048_576;

export const prometheusInput = Type.Object(
  {
    query: Type.String({ minLength: 1, description: 'PromQL.' }),
    url: Type.Optional(Type.String({ pattern: '^https?://', description: 'Prometheus base URL. Default: PROMETHEUS_URL on the worker.' })),
    time: Type.Optional(Type.String({ description: 'Evaluation time (RFC 3339 or Unix seconds). Default: now.' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'e.g. Authorization with a secret.' })),
    timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN })),
  },
  { additionalProperties: false },
);

const Series = Type.Object({ labels: Type.Record(Type.String(), Type.String()), value: Type.Union([Type.Number(), Type.Null()]) });

export const prometheusOutput = Type.Object(
  {
    resultType: Type.String(),
    value: Type.Union([Type.Number(), Type.Null()], { description: 'The first sample’s value, or the scalar; null when the result is empty.' }),
    labels: Type.Record(Type.String(), Type.String(), { description: 'The first sample’s labels.' }),
    series: Type.Array(Series),
    count: Type.Integer({ description: 'Number of series before the cap of 100.' }),
    empty: Type.Boolean(),
  },
  { additionalProperties: false },
);

interface PromResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

const sample = (v: unknown): number | null => {
  const n = Number((v as [number, string])?.[1]);
  return Number.isFinite(n) ? n : null;
};

export default defineAction({
  name: 'prometheus.query',
  description: 'Instant PromQL query; value and labels of the result.',
  input: prometheusInput,
  output: prometheusOutput,
  idempotent: true,
  effect: 'read',
  async run(input, ctx) {
    const base = input.url ?? process.env.PROMETHEUS_URL;
    if (!base)
      throw ApplicationFailure.create({ type: 'NoPrometheus', message: 'no `url` given and PROMETHEUS_URL is not set on the worker', nonRetryable: true });
    const params = new URLSearchParams({ query: input.query, ...(input.time && { time: input.time }) });
    const url = `${base.replace(/\/$/, '')}/api/v1/query?${params}`;
    const response = await request({
      url,
      headers: input.headers,
      ...(input.timeout && { timeoutMs: parseDuration(input.timeout) }),
      maxBytes: MAX_RESPONSE_BYTES,
      signal: ctx.signal,
    });
    if (response.truncated) {
      throw ApplicationFailure.create({
        type: 'PrometheusResponseTooLarge',
        message: `Prometheus answered \`${input.query}\` with more than ${MAX_RESPONSE_BYTES / 1_048_576} MiB; narrow the query (aggregate, or select fewer series)`,
        nonRetryable: true,
      });
    }
    let body: PromResponse;
    try {
      body = JSON.parse(response.text) as PromResponse;
    } catch {
      return failForStatus('GET', url, response);
    }
    if (body.status !== 'success' || !body.data) {
      // bad_data is a broken query: retrying cannot help. Timeouts and unavailability can.
      throw ApplicationFailure.create({
        type: 'PrometheusError',
        message: `Prometheus rejected \`${input.query}\`: ${body.errorType ?? 'error'}: ${body.error ?? response.status}`,
        nonRetryable: body.errorType === 'bad_data',
      });
    }
    const { resultType, result } = body.data;
    let series: Array<{ labels: Record<string, string>; value: number | null }> = [];
    if (resultType === 'vector') {
      series = (result as Array<{ metric: Record<string, string>; value: unknown }>).map((r) => ({ labels: r.metric, value: sample(r.value) }));
    } else if (resultType === 'matrix') {
      series = (result as Array<{ metric: Record<string, string>; values: unknown[] }>).map((r) => ({ labels: r.metric, value: sample(r.values.at(-1)) }));
    } else if (resultType === 'scalar' || resultType === 'string') {
      series = [{ labels: {}, value: sample(result) }];
    }
    return {
      resultType,
      value: series[0]?.value ?? null,
      labels: series[0]?.labels ?? {},
      series: series.slice(0, MAX_SERIES),
      count: series.length,
      empty: series.length === 0,
    };
  },
});
