// `notify.slack`: a message to a Slack incoming webhook (its URL is a secret).
import { Type } from '@sinclair/typebox';
import { defineAction } from '../action';
import { failForStatus, request } from '../http-client';

export default defineAction({
  name: 'notify.slack',
  description: 'Post a message to a Slack incoming webhook.',
  input: Type.Object(
    {
      webhook: Type.String({ pattern: '^https?://', description: 'The incoming-webhook URL; pass it as `${{ secrets.<name> }}`.' }),
      text: Type.String({ minLength: 1, maxLength: 40_000 }),
      blocks: Type.Optional(Type.Array(Type.Unknown(), { description: 'Block Kit blocks.' })),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ status: Type.Integer() }, { additionalProperties: false }),
  // A duplicate message beats a lost page: notifications retry by default.
  idempotent: true,
  // Telling people changes nothing under remediation: a paused fleet can still page.
  effect: 'read',
  asTool: 'never',
  async run(input, ctx) {
    const response = await request({
      url: input.webhook,
      method: 'POST',
      json: { text: input.text, ...(input.blocks && { blocks: input.blocks }) },
      timeoutMs: 10_000,
      maxBytes: 65_536,
      signal: ctx.signal,
    });
    if (response.status < 200 || response.status >= 300) failForStatus('POST', 'the Slack webhook', response);
    return { status: response.status };
  },
});
