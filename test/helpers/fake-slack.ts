// A local stand-in for Slack (Web API: chat.postMessage, chat.update, conversations.history;
// and an incoming webhook), PagerDuty Events and a generic webhook receiver, for tests. Slack
// is unreachable here; the engine talks to this through SLACK_API_URL and PAGERDUTY_EVENTS_URL
// exactly as it would to the real services. Faults can be asked for: a 429 with Retry-After, or
// a post that is kept but whose answer is lost (the connection dropped).
import type { ServerResponse } from 'node:http';
import { startHttpServer, type TestServer } from './http-server';

export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: { key: string } };
  /** When the stand-in received it (ms since the epoch). */
  receivedAt: number;
}

export interface FakeSlack {
  url: string;
  /** Every message kept, in order. */
  posts: SlackMessage[];
  /** chat.update calls: the message and its new text. */
  updates: Array<{ channel: string; ts: string; text: string }>;
  /** Bodies posted to the incoming webhook, the generic webhook (with headers) and PagerDuty. */
  incoming: unknown[];
  webhooks: Array<{ headers: Record<string, string | string[] | undefined>; body: string }>;
  pagerduty: unknown[];
  /** Ephemeral replies sent to a click's response_url (`<url>/response`). */
  responses: Array<{ text: string }>;
  /** Faults for the next chat.postMessage calls, consumed one per call. */
  faults: Array<'rate-limited' | 'answer-lost' | 'hang'>;
  server: TestServer;
  close(): Promise<void>;
}

export async function startFakeSlack(token = 'xoxb-test'): Promise<FakeSlack> {
  let seq = 0;
  const fake: Omit<FakeSlack, 'url' | 'server' | 'close'> = { posts: [], updates: [], incoming: [], webhooks: [], pagerduty: [], responses: [], faults: [] };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  // Answers held back by a `hang` fault, dropped when the stand-in closes.
  const held: ServerResponse[] = [];
  const server = await startHttpServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/api/')) {
      if (req.headers.authorization !== `Bearer ${token}`) return json(res, 200, { ok: false, error: 'invalid_auth' });
      const method = url.pathname.slice('/api/'.length);
      if (method === 'chat.postMessage') {
        const fault = fake.faults.shift();
        if (fault === 'rate-limited') return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
        const msg = JSON.parse(body) as Omit<SlackMessage, 'ts' | 'receivedAt'>;
        const posted = { ...msg, receivedAt: Date.now(), ts: `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}` };
        fake.posts.push(posted);
        if (fault === 'answer-lost') return res.destroy();
        if (fault === 'hang') return void held.push(res);
        return json(res, 200, { ok: true, channel: msg.channel, ts: posted.ts });
      }
      if (method === 'chat.update') {
        const u = JSON.parse(body) as { channel: string; ts: string; text: string };
        if (!fake.posts.some((p) => p.ts === u.ts)) return json(res, 200, { ok: false, error: 'message_not_found' });
        fake.updates.push({ channel: u.channel, ts: u.ts, text: u.text });
        return json(res, 200, { ok: true, channel: u.channel, ts: u.ts });
      }
      if (method === 'conversations.history') {
        const channel = url.searchParams.get('channel');
        const oldest = Number(url.searchParams.get('oldest') ?? 0);
        const withMetadata = url.searchParams.get('include_all_metadata') === 'true';
        const messages = fake.posts
          .filter((p) => p.channel === channel && Number(p.ts) >= oldest)
          .reverse()
          .map((p) => ({ ts: p.ts, text: p.text, ...(withMetadata && p.metadata && { metadata: p.metadata }) }));
        return json(res, 200, { ok: true, messages, has_more: false });
      }
      return json(res, 200, { ok: false, error: 'unknown_method' });
    }
    if (url.pathname === '/incoming') {
      fake.incoming.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('ok');
    }
    if (url.pathname === '/hook') {
      fake.webhooks.push({ headers: req.headers, body });
      return json(res, 204, {});
    }
    if (url.pathname === '/response') {
      fake.responses.push(JSON.parse(body) as { text: string });
      return json(res, 200, { ok: true });
    }
    if (url.pathname === '/pagerduty') {
      fake.pagerduty.push(JSON.parse(body));
      return json(res, 202, { status: 'success', message: 'Event processed' });
    }
    res.writeHead(404).end();
  });
  return {
    ...fake,
    url: server.url,
    server,
    close: () => {
      held.forEach((res) => res.destroy());
      return server.close();
    },
  };
}
