// Sending a request to one channel. Each kind posts at most once per request, kind and channel
// where the channel allows it: a Slack bot's post carries the request key in its metadata and a
// retry looks for it first; a signed webhook carries it as `webhook-id` and PagerDuty as the
// event's `dedup_key`, so the other end drops a repeat. An incoming webhook cannot be asked:
// a retry after a post whose answer was lost posts again (docs/approvals.md says so).
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import type { PostedNotice, RequestNotice } from '../../contract/notify';
import { request, type HttpResponse } from '../http-client';
import type { Channel, EnvRef } from '../humans/notify-config';
import { plainText, settledBlocks, slackBlocks, type Message } from './message';
import { pagerdutyEventsUrl, slackApi } from './endpoints';

export interface Send {
  name: string;
  channel: Channel;
  notice: RequestNotice;
  message: Message;
  /** Names this request, kind and channel: the same across retries. */
  key: string;
  attempt: number;
  signal: AbortSignal;
}

function secret(ref: EnvRef, what: string): string {
  const value = process.env[ref.env];
  if (!value) throw ApplicationFailure.create({ type: 'NotifyMisconfigured', message: `${ref.env} (${what}) is not set on the worker`, nonRetryable: true });
  return value;
}

export async function send(s: Send): Promise<PostedNotice> {
  const c = s.channel;
  if ('pagerduty' in c) return pagerduty(s, secret(c.pagerduty.routingKey, `channel ${s.name}'s routing key`));
  if ('webhook' in c) return webhook(s, c.webhook.url, c.webhook.secret && secret(c.webhook.secret, `channel ${s.name}'s signing secret`));
  if ('webhook' in c.slack) return slackWebhook(s, secret(c.slack.webhook, `channel ${s.name}'s incoming webhook URL`));
  return slackBot(s, secret(c.slack.token, `channel ${s.name}'s bot token`), c.slack.channel);
}

/** Marks a Slack bot's post settled; other channels keep what they were sent. */
export async function settle(posted: PostedNotice, channel: Channel, outcome: string, signal: AbortSignal): Promise<void> {
  if (!posted.ref || !('slack' in channel) || !('token' in channel.slack)) return;
  await slackCall('chat.update', secret(channel.slack.token, `channel ${posted.channel}'s bot token`), signal, {
    channel: posted.ref.channel,
    ts: posted.ref.ts,
    text: outcome,
    blocks: settledBlocks('Settled', outcome),
  });
}

// ---------- Slack ----------

interface SlackAnswer {
  ok: boolean;
  error?: string;
  channel?: string;
  ts?: string;
  messages?: Array<{ ts: string; metadata?: { event_payload?: { key?: string } } }>;
}

/** Errors a retry cannot fix: the configuration is wrong. */
const SLACK_FATAL = ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'channel_not_found', 'not_in_channel', 'is_archived', 'missing_scope'];

async function slackCall(method: string, token: string, signal: AbortSignal, body?: Record<string, unknown>, query?: string): Promise<SlackAnswer> {
  const response = await request({
    url: `${slackApi()}/${method}${query ? `?${query}` : ''}`,
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}` },
    ...(body && { json: body }),
    timeoutMs: 10_000,
    maxBytes: 1_048_576,
    signal,
  });
  retryLater(response, `Slack ${method}`);
  let answer: SlackAnswer;
  try {
    answer = JSON.parse(response.text) as SlackAnswer;
  } catch {
    throw ApplicationFailure.create({ type: 'SlackError', message: `Slack ${method} answered HTTP ${response.status} without JSON` });
  }
  if (!answer.ok) {
    const fatal = SLACK_FATAL.includes(answer.error ?? '');
    throw ApplicationFailure.create({ type: 'SlackError', message: `Slack ${method}: ${answer.error ?? 'not ok'}`, nonRetryable: fatal });
  }
  return answer;
}

/** 429 and 5xx are retried, after the Retry-After the service asked for. */
function retryLater(response: HttpResponse, what: string): void {
  if (response.status !== 429 && response.status < 500) return;
  const seconds = Number(response.headers['retry-after']);
  throw ApplicationFailure.create({
    type: response.status === 429 ? 'RateLimited' : 'ServiceUnavailable',
    message: `${what} answered HTTP ${response.status}${Number.isFinite(seconds) ? `; retry after ${seconds} s` : ''}`,
    ...(Number.isFinite(seconds) && seconds > 0 && { nextRetryDelay: `${Math.min(seconds, 300)}s` }),
  });
}

async function slackBot(s: Send, token: string, channel: string): Promise<PostedNotice> {
  if (s.attempt > 1) {
    // An earlier attempt may have posted and died before reporting it: look before posting again.
    const since = Math.floor(Date.parse(s.notice.pending.requestedAt) / 1000) - 60;
    const history = await slackCall(
      'conversations.history',
      token,
      s.signal,
      undefined,
      `channel=${encodeURIComponent(channel)}&oldest=${since}&include_all_metadata=true&limit=200`,
    );
    const found = history.messages?.find((m) => m.metadata?.event_payload?.key === s.key);
    if (found) return { channel: s.name, ref: { channel, ts: found.ts } };
  }
  const posted = await slackCall('chat.postMessage', token, s.signal, {
    channel,
    text: plainText(s.message),
    blocks: slackBlocks(s.message),
    metadata: { event_type: 'runbook_request', event_payload: { key: s.key } },
    unfurl_links: false,
  });
  return { channel: s.name, ref: { channel: posted.channel ?? channel, ts: posted.ts ?? '' } };
}

async function slackWebhook(s: Send, url: string): Promise<PostedNotice> {
  await deliver(s, 'the Slack webhook', 'SlackError', { url, json: { text: plainText(s.message), blocks: slackBlocks(s.message) } });
  return { channel: s.name };
}

/** One POST a channel must accept: 429 and 5xx are retried (retryLater), any other non-2xx answer is final. */
async function deliver(
  s: Send,
  what: string,
  type: string,
  req: { url: string; json?: unknown; body?: string; headers?: Record<string, string> },
): Promise<void> {
  const response = await request({ ...req, method: 'POST', timeoutMs: 10_000, maxBytes: 65_536, signal: s.signal });
  retryLater(response, what);
  if (response.status >= 300) throw ApplicationFailure.create({ type, message: `${what} answered HTTP ${response.status}`, nonRetryable: true });
}

// ---------- webhooks and PagerDuty ----------

async function webhook(s: Send, url: string, signingSecret: string | undefined): Promise<PostedNotice> {
  const body = JSON.stringify({
    type: `runbook.${s.notice.kind}`,
    key: s.key,
    text: plainText(s.message),
    link: s.message.link,
    commands: s.message.commands,
    notice: s.notice,
  });
  const at = new Date();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': s.key,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  };
  if (signingSecret) headers['webhook-signature'] = new Webhook(signingSecret).sign(s.key, at, body);
  await deliver(s, url, 'WebhookError', { url, body, headers });
  return { channel: s.name };
}

async function pagerduty(s: Send, routingKey: string): Promise<PostedNotice> {
  await deliver(s, 'PagerDuty Events', 'PagerDutyError', {
    url: pagerdutyEventsUrl(),
    json: {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: s.key,
      payload: {
        summary: s.message.title.slice(0, 1024),
        source: 'runbook-engine',
        severity: 'warning',
        custom_details: { lines: s.message.lines, commands: s.message.commands },
      },
      links: [{ href: s.message.link, text: 'Open the run in the Temporal Web UI' }],
    },
  });
  return { channel: s.name };
}
