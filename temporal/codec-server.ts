// A codec server (Temporal's protocol: POST /decode and /encode with {"payloads": [...]}) so the
// Web UI and the `temporal` CLI can show payloads encrypted by RUNBOOK_PAYLOAD_KEY. Run it next
// to the people who read histories; it holds the key, the UI never does.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export function codecServer(codec: PayloadCodec, allowedOrigin: string): FastifyInstance {
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  app.addHook('onRequest', async (req, reply) => {
    reply.header('access-control-allow-origin', allowedOrigin);
    reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization');
    reply.header('access-control-allow-credentials', 'true');
    if (req.method === 'OPTIONS') return reply.code(204).send();
    return undefined;
  });
  for (const direction of ['decode', 'encode'] as const) {
    app.post<{ Body: { payloads?: JsonPayload[] } }>(`/${direction}`, async (req, reply) => {
      if (!Array.isArray(req.body?.payloads)) return reply.code(400).send({ error: 'expected {"payloads": [...]}' });
      const out = await codec[direction](req.body.payloads.map(fromJson));
      return { payloads: out.map(toJson) };
    });
  }
  return app;
}
