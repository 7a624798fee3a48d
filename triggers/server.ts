// The HTTP side of the receiver (fastify): POST /alerts/<source>, health, readiness, metrics.
// Raw bodies are kept for signatures; every refusal is JSON with a reason; no request can
// crash the process.
import { trace } from '@opentelemetry/api';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Client } from '@temporalio/client';
import type { CompiledRunbook } from '../dsl/compiled';
import { isHttpAlertSource } from './adapters';
import { checkReceiverConfig, type ReceiverConfig } from './config';
import { ingest, TemporalUnavailable, type IngestDeps } from './ingest';
import type { ReceiverMetrics } from './metrics';
import { RecentIds } from './recent-ids';
import { slackInteraction, type SlackDeps } from './slack-interactions';

export interface ServerDeps {
  config: ReceiverConfig;
  client: Client;
  taskQueue: string;
  runbooks: () => readonly CompiledRunbook[];
  metrics: ReceiverMetrics;
  logger?: boolean;
  /** Where facts about refused and unmatched alerts go; default the server's log. */
  log?: (entry: Record<string, unknown>) => void;
  /** Answers from Slack buttons (POST /slack/interactions): the app's signing secrets and the people file that maps Slack users. */
  slack?: { signingSecrets: readonly string[]; peopleFile: string; bridgeKey?: string };
}

const READY_CACHE_MS = 5_000;

export function buildServer(deps: ServerDeps): FastifyInstance {
  checkReceiverConfig(deps.config);
  const app = Fastify({ bodyLimit: deps.config.bodyLimitBytes, logger: deps.logger ?? false, return503OnClosing: true });
  const ingestDeps: IngestDeps = {
    client: deps.client,
    taskQueue: deps.taskQueue,
    auth: deps.config.auth,
    runbooks: deps.runbooks,
    metrics: deps.metrics,
    deliveries: new RecentIds(),
    log: deps.log ?? ((entry) => app.log.info(entry)),
  };

  // Signatures are over the exact bytes received, so JSON is parsed later, by us.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Slack sends interactions as a form; its signature too is over the exact bytes.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    // Only known sources become metric labels: anyone can put anything in the URL.
    const named = (req.params as { source?: string })?.source;
    const source = named !== undefined && isHttpAlertSource(named) ? named : 'unknown';
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      deps.metrics.rejected.inc({ source, reason: 'too-large' });
      return send(reply, 413, { error: 'payload too large', reason: `the body is larger than ${deps.config.bodyLimitBytes} bytes` });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || err.code === 'FST_ERR_CTP_EMPTY_TYPE') {
      deps.metrics.rejected.inc({ source, reason: 'content-type' });
      return send(reply, 415, { error: 'unsupported content type', reason: `send application/json, not ${req.headers['content-type'] ?? 'no content type'}` });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return send(reply, err.statusCode, { error: 'bad request', reason: err.message });
    req.log.error({ err }, 'receiver error');
    return send(reply, 500, { error: 'internal error', reason: 'see the receiver log' });
  });

  app.post<{ Params: { source: string } }>('/alerts/:source', async (req, reply) => {
    const started = performance.now();
    const { source } = req.params;
    if (!isHttpAlertSource(source))
      return send(reply, 404, { error: 'unknown source', reason: `no alert source \`${source}\`; use alertmanager, grafana, pagerduty or webhook` });
    if (!Buffer.isBuffer(req.body)) {
      deps.metrics.rejected.inc({ source, reason: 'content-type' });
      return send(reply, 415, { error: 'unsupported content type', reason: 'send a JSON body with Content-Type: application/json' });
    }
    const headers = lowerCaseHeaders(req.headers);
    const rawBody = req.body;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deps.config.deadlineMs)));
    let status: number;
    try {
      // One span per delivery (a no-op unless traces are on): the runs it starts are its children.
      const answer = await trace.getTracer('runbook-receiver').startActiveSpan(`receive ${source} alerts`, async (span) => {
        try {
          return await Promise.race([ingest(ingestDeps, source, { rawBody, headers, receivedAt: Date.now() }), deadline]);
        } finally {
          span.end();
        }
      });
      if (answer === 'late') {
        status = temporalUnavailable(reply, `starting the remediations took longer than ${deps.config.deadlineMs} ms; retry (starts are idempotent)`);
      } else {
        status = answer.status;
        send(reply, status, answer.body);
      }
    } catch (err) {
      if (!(err instanceof TemporalUnavailable)) throw err;
      status = temporalUnavailable(reply, err.message);
    } finally {
      clearTimeout(timer);
    }
    deps.metrics.requests.observe({ source, status: String(status) }, (performance.now() - started) / 1000);
    return reply;
  });

  if (deps.slack) {
    const slackDeps: SlackDeps = { client: deps.client, ...deps.slack, seen: new RecentIds(10_000, 10 * 60_000), log: ingestDeps.log };
    app.post('/slack/interactions', async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) return send(reply, 415, { error: 'unsupported content type', reason: 'Slack sends application/x-www-form-urlencoded' });
      const headers = lowerCaseHeaders(req.headers);
      const answer = await slackInteraction(slackDeps, req.body, headers);
      return send(reply, answer.status, answer.body);
    });
  }

  app.get('/healthz', async () => ({ status: 'ok' }));

  let ready: { at: number; ok: boolean; reason?: string } = { at: 0, ok: false };
  app.get('/readyz', async (_req, reply) => {
    if (Date.now() - ready.at > READY_CACHE_MS) {
      try {
        await deps.client.connection.workflowService.getSystemInfo({});
        ready = { at: Date.now(), ok: true };
      } catch (err) {
        ready = { at: Date.now(), ok: false, reason: `Temporal is unreachable: ${(err as Error).message}` };
      }
    }
    const runbooks = deps.runbooks().length;
    if (!ready.ok) return send(reply, 503, { status: 'not ready', reason: ready.reason });
    return send(reply, 200, { status: 'ready', runbooks });
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  return app;
}

/** Request headers by lower-case name, repeated ones joined: what signature checks read. */
function lowerCaseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]));
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

/** 503 with Retry-After: the sender keeps the alert and delivers it again. */
function temporalUnavailable(reply: FastifyReply, reason: string): number {
  send(reply.header('retry-after', '10'), 503, { error: 'temporal unavailable', reason });
  return 503;
}
