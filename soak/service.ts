// The service the soak's runbooks call over HTTP: it answers after 0 to 400 ms, and one request
// in ten with a 503 (the http action retries it). Each request it served with a 200 goes into the
// soak's action log like a command, so the invariants count HTTP calls as they count commands.
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Random } from './random';

export async function startSoakService(seed: number, actionLog: string): Promise<{ url: string; close(): Promise<void> }> {
  const random = new Random(seed ^ 0x5e7);
  const server = createServer((req, res) => {
    const run = String(req.headers['x-run'] ?? 'unknown').replace(/\s/g, '_');
    const delay = random.int(0, 400);
    const unavailable = random.chance(0.1);
    setTimeout(() => {
      if (unavailable) {
        res.writeHead(503, { 'retry-after': '1' }).end('busy');
        return;
      }
      const at = Date.now();
      appendFileSync(actionLog, `start ${run} probe ${at} 0\nend ${run} probe ${at} 0\n`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
