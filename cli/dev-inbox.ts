// The embedded stack's inbox (development only): `npm start` points the worker's Slack webhook
// and PagerDuty events here when they are not configured, so a tour's notifications land where
// the newcomer can see them (the console, http://127.0.0.1:8025, .data/dev-inbox.jsonl)
// instead of failing. Everything sent is stored as received and shown escaped.
import { appendFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';

export const DEV_INBOX_BODY_LIMIT = 256 * 1024;
const KEPT = 200;
const SUMMARY_CHARS = 200;

export interface InboxMessage {
  at: string;
  /** The path it was posted to: `/slack`, `/pagerduty`, anything else. */
  path: string;
  /** One line: the Slack text, the PagerDuty summary and action, or the start of the body. */
  summary: string;
  body: unknown;
}

export interface DevInbox {
  url: string;
  messages(): readonly InboxMessage[];
  close(): Promise<void>;
}

export async function startDevInbox(options: { host: string; port: number; file: string; print: (line: string) => void }): Promise<DevInbox> {
  const kept: InboxMessage[] = [];
  const app: FastifyInstance = Fastify({ bodyLimit: DEV_INBOX_BODY_LIMIT, logger: false });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/*', async (req, reply) => {
    const message: InboxMessage = { at: new Date().toISOString(), path: req.url.split('?')[0]!, summary: summarise(req.body), body: req.body };
    kept.push(message);
    if (kept.length > KEPT) kept.shift();
    appendFileSync(options.file, `${JSON.stringify(message)}\n`);
    options.print(`📬 dev inbox ${message.path}: ${message.summary}`);
    // What Slack and PagerDuty answer, so the sender counts it as delivered.
    return message.path.startsWith('/pagerduty')
      ? reply.code(202).send({ status: 'success', message: 'Event processed (dev inbox)', dedup_key: dedupKey(req.body) })
      : reply.code(200).type('text/plain').send('ok');
  });
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page(kept)));
  app.get('/messages.json', async () => kept);
  await app.listen({ host: options.host, port: options.port });
  return { url: `http://${options.host}:${options.port}`, messages: () => kept, close: () => app.close() };
}

function summarise(body: unknown): string {
  const b = body as { text?: unknown; event_action?: unknown; payload?: { summary?: unknown } } | null;
  const line =
    typeof b?.text === 'string'
      ? b.text
      : typeof b?.payload?.summary === 'string'
        ? `${String(b.event_action ?? 'event')}: ${b.payload.summary}`
        : typeof b?.event_action === 'string'
          ? b.event_action
          : typeof body === 'string'
            ? body
            : JSON.stringify(body);
  const flat = line.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_CHARS ? `${flat.slice(0, SUMMARY_CHARS)}…` : flat;
}

function dedupKey(body: unknown): string {
  const key = (body as { dedup_key?: unknown } | null)?.dedup_key;
  return typeof key === 'string' ? key : `dev-inbox-${Date.now()}`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(messages: readonly InboxMessage[]): string {
  const items = [...messages]
    .reverse()
    .map((m) => `<li><code>${esc(m.at)}</code> <code>${esc(m.path)}</code> ${esc(m.summary)}<pre>${esc(JSON.stringify(m.body, null, 2))}</pre></li>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev inbox</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;padding:0 1em}pre{background:#f3f3f5;padding:.5em;overflow:auto;max-height:20em}.warn{background:#fff3cd;padding:.5em}</style></head><body>
<h1>Dev inbox</h1><p class="warn">Development only: the embedded stack (<code>npm start</code>) sends the worker's Slack webhook and PagerDuty events here when they are not configured. Nothing here reached anyone.</p>
${items ? `<ol reversed>${items}</ol>` : '<p>Nothing yet.</p>'}</body></html>`;
}
