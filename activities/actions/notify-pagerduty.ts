// `notify.pagerduty`: an event to PagerDuty's Events API v2: open (trigger), acknowledge or
// resolve an incident. The worker's PAGERDUTY_EVENTS_URL overrides the endpoint (the embedded
// stack's dev inbox, a proxy), as it does for the engine's own PagerDuty notices.
import { Type } from '@sinclair/typebox';
import { ApplicationFailure } from '@temporalio/common';
import { defineAction } from '../action';
import { failForStatus, request } from '../http-client';
import { pagerdutyEventsUrl } from '../notify/endpoints';

export default defineAction({
  name: 'notify.pagerduty',
  description: 'Trigger, acknowledge or resolve a PagerDuty incident (Events API v2).',
  input: Type.Object(
    {
      routingKey: Type.String({ minLength: 1, maxLength: 128, description: "The service's integration key; pass it as `${{ secrets.<name> }}`." }),
      action: Type.Optional(Type.Union([Type.Literal('trigger'), Type.Literal('acknowledge'), Type.Literal('resolve')], { default: 'trigger' })),
      summary: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'What happened; required to trigger.' })),
      severity: Type.Optional(
        Type.Union([Type.Literal('critical'), Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')], { default: 'error' }),
      ),
      source: Type.Optional(Type.String({ minLength: 1, maxLength: 255, default: 'runbook-engine' })),
      dedupKey: Type.Optional(
        Type.String({ minLength: 1, maxLength: 255, description: 'One incident per key; required to acknowledge or resolve the incident a trigger opened.' }),
      ),
      link: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'Where to look (the run in the Web UI, a dashboard).' })),
    },
    { additionalProperties: false },
  ),
  output: Type.Object(
    { status: Type.Integer(), dedupKey: Type.Optional(Type.String({ description: 'The incident key PagerDuty answered with.' })) },
    { additionalProperties: false },
  ),
  // One incident per dedup key: sending again does not page twice.
  idempotent: true,
  // Telling people changes nothing under remediation: a paused fleet can still page.
  effect: 'read',
  asTool: 'never',
  async run(input, ctx) {
    const action = input.action ?? 'trigger';
    if (action === 'trigger' && !input.summary)
      throw ApplicationFailure.create({ type: 'BadInput', message: 'a trigger needs a `summary`', nonRetryable: true });
    if (action !== 'trigger' && !input.dedupKey)
      throw ApplicationFailure.create({
        type: 'BadInput',
        message: `to ${action} an incident, give the \`dedupKey\` of the trigger that opened it`,
        nonRetryable: true,
      });
    const response = await request({
      url: pagerdutyEventsUrl(),
      method: 'POST',
      json: {
        routing_key: input.routingKey,
        event_action: action,
        ...(input.dedupKey && { dedup_key: input.dedupKey }),
        ...(action === 'trigger' && {
          payload: { summary: input.summary, source: input.source ?? 'runbook-engine', severity: input.severity ?? 'error' },
          ...(input.link && { links: [{ href: input.link, text: 'Open' }] }),
        }),
      },
      timeoutMs: 10_000,
      maxBytes: 65_536,
      signal: ctx.signal,
    });
    if (response.status < 200 || response.status >= 300) failForStatus('POST', 'PagerDuty Events', response);
    const answered = dedupKeyOf(response.text);
    return { status: response.status, ...(answered && { dedupKey: answered }) };
  },
});

function dedupKeyOf(text: string): string | undefined {
  try {
    const key = (JSON.parse(text) as { dedup_key?: unknown }).dedup_key;
    return typeof key === 'string' && key.length <= 255 ? key : undefined;
  } catch {
    return undefined;
  }
}
