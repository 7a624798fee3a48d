// `http`: one HTTP request with an expected status, the response parsed when it is JSON.
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Type } from '@sinclair/typebox';
import { parseDuration } from '../../dsl/durations';
import { DURATION_PATTERN } from '../../dsl/schema';
import { defineAction } from '../action';
import { truncateText } from '../truncate';

export const httpInput = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'http:// or https:// URL.' }),
    method: Type.Optional(Type.Union(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m)))),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    json: Type.Optional(Type.Unknown({ description: 'A JSON body (sets Content-Type: application/json).' })),
    body: Type.Optional(Type.String({ description: 'A text body.' })),
    expectStatus: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1, description: 'Statuses that count as success. Default: any 2xx.' })),
    timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN })),
    maxBodyBytes: Type.Optional(Type.Integer({ minimum: 256, maximum: 1_048_576, description: 'Keep at most this much of the body. Default 16384.' })),
  },
  { additionalProperties: false },
);

export const httpOutput = Type.Object(
  {
    status: Type.Integer(),
    headers: Type.Record(Type.String(), Type.String()),
    body: Type.String(),
    json: Type.Optional(Type.Unknown()),
    truncated: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** Response headers worth keeping in history; the rest is noise (and cookies are sensitive). */
const KEPT_HEADERS = ['content-type', 'content-length', 'location', 'retry-after', 'etag', 'date'];

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  timeoutMs?: number;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** One request with cancellation and a timeout; shared by the http, prometheus and notify actions. */
export async function request(req: HttpRequest): Promise<HttpResponse> {
  const signals = [req.signal, ...(req.timeoutMs ? [AbortSignal.timeout(req.timeoutMs)] : [])];
  const headers: Record<string, string> = { ...(req.json !== undefined && { 'content-type': 'application/json' }), ...req.headers };
  let response: Response;
  try {
    response = await fetch(req.url, {
      method: req.method ?? 'GET',
      headers,
      body: req.json !== undefined ? JSON.stringify(req.json) : req.body,
      signal: AbortSignal.any(signals),
      redirect: 'manual',
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (req.signal.aborted) throw new CancelledFailure(`${req.method ?? 'GET'} ${req.url} was cancelled`);
    throw ApplicationFailure.create({ type: 'RequestFailed', message: `${req.method ?? 'GET'} ${req.url} failed: ${cause?.code ?? cause?.message ?? (err as Error).message}` });
  }
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) kept[name] = value;
  }
  return { status: response.status, headers: kept, text: await response.text() };
}

/** Fails the step with a retryable error for 5xx/408/429 and a final one for other unexpected statuses. */
export function failForStatus(method: string, url: string, response: HttpResponse): never {
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  throw ApplicationFailure.create({
    type: 'UnexpectedStatus',
    message: `${method} ${url} answered ${response.status}: ${truncateText(response.text.trim(), 300).text}`,
    nonRetryable: !retryable,
  });
}

export default defineAction({
  name: 'http',
  description: 'Make an HTTP request and check its status.',
  input: httpInput,
  output: httpOutput,
  idempotent: false,
  async run(input, ctx) {
    const method = input.method ?? 'GET';
    const response = await request({
      url: input.url,
      method,
      headers: input.headers,
      json: input.json,
      body: input.body,
      timeoutMs: input.timeout ? parseDuration(input.timeout) : undefined,
      signal: ctx.signal,
    });
    const ok = input.expectStatus ? input.expectStatus.includes(response.status) : response.status >= 200 && response.status < 300;
    if (!ok) failForStatus(method, input.url, response);
    const body = truncateText(response.text, input.maxBodyBytes ?? 16_384);
    let json: unknown;
    if ((response.headers['content-type'] ?? '').includes('json') && !body.truncated) {
      try {
        json = JSON.parse(response.text);
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, headers: response.headers, body: body.text, truncated: body.truncated, ...(json !== undefined && { json }) };
  },
});
