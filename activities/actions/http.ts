// `http`: one HTTP request with an expected status, the response parsed when it is JSON. The
// worker's egress policy, a timeout (default 30 s) and a byte cap apply (activities/http-client.ts).
import { Type } from '@sinclair/typebox';
import { parseDuration } from '../../dsl/durations';
import { DURATION_PATTERN } from '../../dsl/schema-parts';
import { defineAction } from '../action';
import { failForStatus, request } from '../http-client';

export const httpInput = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'http:// or https:// URL.' }),
    method: Type.Optional(Type.Union(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m)))),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    json: Type.Optional(Type.Unknown({ description: 'A JSON body (sets Content-Type: application/json).' })),
    body: Type.Optional(Type.String({ description: 'A text body.' })),
    expectStatus: Type.Optional(
      Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1, description: 'Statuses that count as success. Default: any 2xx.' }),
    ),
    timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'Give up after this long. Default 30s.' })),
    maxBodyBytes: Type.Optional(
      Type.Integer({ minimum: 256, maximum: 1_048_576, description: 'Read at most this much of the body; the rest is never read. Default 16384.' }),
    ),
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

export default defineAction({
  name: 'http',
  description: 'Make an HTTP request and check its status.',
  input: httpInput,
  output: httpOutput,
  idempotent: false,
  effect: 'write',
  asTool: { pin: { method: ['GET', 'HEAD'] } },
  async run(input, ctx) {
    const method = input.method ?? 'GET';
    const response = await request({
      url: input.url,
      method,
      headers: input.headers,
      json: input.json,
      body: input.body,
      ...(input.timeout && { timeoutMs: parseDuration(input.timeout) }),
      maxBytes: input.maxBodyBytes ?? 16_384,
      signal: ctx.signal,
    });
    const ok = input.expectStatus ? input.expectStatus.includes(response.status) : response.status >= 200 && response.status < 300;
    if (!ok) failForStatus(method, input.url, response);
    let json: unknown;
    if ((response.headers['content-type'] ?? '').includes('json') && !response.truncated) {
      try {
        json = JSON.parse(response.text);
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, headers: response.headers, body: response.text, truncated: response.truncated, ...(json !== undefined && { json }) };
  },
});
