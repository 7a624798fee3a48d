// `notify.webhook`: a JSON event to any HTTP endpoint (PagerDuty Events, Opsgenie, a chat bridge).
import { Type } from '@sinclair/typebox';
import { defineAction } from '../action';
import { failForStatus, request } from '../http-client';
import { truncateText } from '../truncate';

export default defineAction({
  name: 'notify.webhook',
  description: 'POST a JSON payload to a webhook.',
  input: Type.Object(
    {
      url: Type.String({ pattern: '^https?://' }),
      json: Type.Unknown({ description: 'The payload.' }),
      headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ status: Type.Integer(), body: Type.String() }, { additionalProperties: false }),
  idempotent: true,
  // Telling people changes nothing under remediation: a paused fleet can still page.
  effect: 'read',
  asTool: 'never',
  async run(input, ctx) {
    const response = await request({
      url: input.url,
      method: 'POST',
      json: input.json,
      headers: input.headers,
      timeoutMs: 10_000,
      maxBytes: 65_536,
      signal: ctx.signal,
    });
    if (response.status < 200 || response.status >= 300) failForStatus('POST', input.url, response);
    return { status: response.status, body: truncateText(response.text, 4_096).text };
  },
});
