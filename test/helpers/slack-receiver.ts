// The receiver's Slack route on a free port, and clicks signed as Slack signs them (HMAC-SHA256
// of `v0:<timestamp>:<body>` with the app's signing secret), for tests and benchmarks.
import { createHmac, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { receiverMetrics } from '../../triggers/metrics';
import { buildServer } from '../../triggers/server';

export const SLACK_SIGNING_SECRET = 'slack-signing-secret-for-tests-0123456789';

export interface SlackClick {
  body: string;
  headers: Record<string, string>;
}

export interface SlackReceiver {
  /** Posts a click; the receiver's status and the text it answered. */
  send(click: SlackClick): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export async function startSlackReceiver(
  client: Client,
  taskQueue: string,
  slack: { peopleFile: string; bridgeKey?: string },
  log: (entry: Record<string, unknown>) => void = () => undefined,
): Promise<SlackReceiver> {
  const app = buildServer({
    config: { host: '127.0.0.1', port: 0, runbookDirs: [], auth: {}, bodyLimitBytes: 1_048_576, deadlineMs: 5_000 },
    client,
    taskQueue,
    runbooks: () => [],
    metrics: receiverMetrics(),
    log,
    slack: { signingSecrets: [SLACK_SIGNING_SECRET], ...slack },
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    async send(click) {
      const r = await fetch(`${base}/slack/interactions`, { method: 'POST', body: click.body, headers: click.headers });
      return { status: r.status, text: ((await r.json()) as { text: string }).text };
    },
    close: () => app.close(),
  };
}

/** A click on a button of a posted message, as Slack sends it. */
export function slackClick(button: { action_id: string; value: string }, user: string, options: { at?: number; responseUrl?: string } = {}): SlackClick {
  const at = options.at ?? Math.floor(Date.now() / 1000);
  // Every real click carries its own trigger_id: two clicks are never the same request, only a resend is.
  const payload = {
    type: 'block_actions',
    trigger_id: randomUUID(),
    user: { id: user },
    actions: [button],
    ...(options.responseUrl && { response_url: options.responseUrl }),
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const signature = `v0=${createHmac('sha256', SLACK_SIGNING_SECRET).update(`v0:${at}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(at), 'x-slack-signature': signature } };
}

/** The buttons of a posted message's actions block. */
export function buttonsOf(blocks: unknown[] | undefined): Array<{ action_id: string; value: string; text: { text: string } }> {
  const actions = (blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string; text: { text: string } }> }> | undefined)?.find(
    (b) => b.type === 'actions',
  );
  return actions?.elements ?? [];
}
