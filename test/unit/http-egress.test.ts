// M1 and M2: what an action's HTTP request may reach, and how much of an answer it reads.
import { createServer, type Server } from 'node:http';
import http from '../../activities/actions/http';
import notifySlack from '../../activities/actions/notify-slack';
import prometheus from '../../activities/actions/prometheus';
import { actionContext } from '../helpers/action-context';
import { startHttpServer, type TestServer } from '../helpers/http-server';

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((_req, res) => res.end('{"ok":true}'));
});
afterAll(() => server.close());
afterEach(() => {
  delete process.env.RUNBOOK_EGRESS_DENY;
  delete process.env.RUNBOOK_EGRESS_ALLOW;
});

/** A server that streams `chunk` bytes until the client goes away, counting what it sent. */
async function endlessServer(): Promise<{ url: string; sent: () => number; closed: Promise<void>; stop: () => Promise<void> }> {
  let sent = 0;
  let onClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const srv: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const pump = () => {
      while (!res.destroyed && sent < 300 * 1_048_576) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', onClosed);
    req.on('close', onClosed);
    pump();
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, sent: () => sent, closed, stop: () => new Promise((r) => srv.close(() => r())) };
}

describe('a huge answer is cut as it streams (M1)', () => {
  it('http keeps maxBodyBytes and drops the connection instead of reading 300 MB', async () => {
    const endless = await endlessServer();
    try {
      const rssBefore = process.memoryUsage().rss;
      const result = await http.run({ url: endless.url, maxBodyBytes: 4096 }, actionContext());
      await endless.closed;
      expect(result.truncated).toBe(true);
      expect(result.body).toMatch(/^x{4096}\n…\[more than 4096 bytes; the rest was not read\]…\n$/);
      expect(result.json).toBeUndefined();
      // Socket buffers let a few MB through before the server notices; never the 300 MB offered.
      expect(endless.sent()).toBeLessThan(32 * 1_048_576);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1_048_576);
    } finally {
      await endless.stop();
    }
  });

  it('prometheus.query refuses an answer over 8 MiB as a query to narrow', async () => {
    const endless = await endlessServer();
    try {
      await expect(prometheus.run({ url: endless.url, query: 'up' }, actionContext())).rejects.toMatchObject({
        type: 'PrometheusResponseTooLarge',
        nonRetryable: true,
      });
      await endless.closed;
      expect(endless.sent()).toBeLessThan(40 * 1_048_576);
    } finally {
      await endless.stop();
    }
  });

  it('gives up on a server that never answers after the timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const started = Date.now();
    try {
      await expect(
        http.run({ url: `http://127.0.0.1:${(silent.address() as { port: number }).port}/`, timeout: '300ms' }, actionContext()),
      ).rejects.toMatchObject({ type: 'RequestFailed' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('the egress policy (M2)', () => {
  const refusedBy = (pattern: RegExp) => expect.objectContaining({ type: 'EgressRefused', nonRetryable: true, message: expect.stringMatching(pattern) });

  it.each([
    [
      'the metadata address',
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      /169\.254\.169\.254 resolves to 169\.254\.169\.254 \(link-local\)/,
    ],
    ['an IPv4-mapped IPv6 form of it', 'http://[::ffff:169.254.169.254]/latest/meta-data/', /\(link-local\)/],
    ['its decimal form', 'http://2852039166/latest/meta-data/', /169\.254\.169\.254 \(link-local\)/],
    ["GCP's metadata host name", 'http://metadata.google.internal/computeMetadata/v1/', /metadata\.google\.internal is denied by RUNBOOK_EGRESS_DENY/],
    ['the ECS task metadata address', 'http://169.254.170.2/v2/credentials', /link-local/],
    ['AWS metadata over IPv6', 'http://[fd00:ec2::254]/latest/meta-data/', /\(metadata\)/],
    ['an unspecified address', 'http://0.0.0.0:80/', /0\.0\.0\.0/],
  ])('refuses %s by default', async (_what, url, reason) => {
    await expect(http.run({ url }, actionContext())).rejects.toEqual(refusedBy(reason));
  });

  it('checks after DNS: a name that resolves to a denied address is refused, and no request is sent', async () => {
    process.env.RUNBOOK_EGRESS_DENY = 'link-local,metadata,loopback';
    const port = new URL(server.url).port;
    const before = server.requests.length;
    await expect(http.run({ url: `http://localhost:${port}/` }, actionContext())).rejects.toEqual(
      refusedBy(/localhost resolves to (127\.0\.0\.1|::1) \(loopback\)/),
    );
    await expect(notifySlack.run({ webhook: `http://localhost:${port}/hooks/x`, text: 'hi' }, actionContext())).rejects.toEqual(refusedBy(/loopback/));
    expect(server.requests.length).toBe(before);
  });

  it('with an allowlist, reaches only what it names', async () => {
    const port = new URL(server.url).port;
    process.env.RUNBOOK_EGRESS_ALLOW = '10.0.0.0/8,prometheus.internal';
    await expect(http.run({ url: `http://127.0.0.1:${port}/` }, actionContext())).rejects.toEqual(
      refusedBy(/not in RUNBOOK_EGRESS_ALLOW \(10\.0\.0\.0\/8, prometheus\.internal\)/),
    );
    process.env.RUNBOOK_EGRESS_ALLOW = 'localhost';
    expect((await http.run({ url: `http://localhost:${port}/` }, actionContext())).status).toBe(200);
  });

  it('refuses a policy it cannot read, naming the entry', async () => {
    process.env.RUNBOOK_EGRESS_DENY = 'link-local,10.0.0.0/99';
    await expect(http.run({ url: server.url }, actionContext())).rejects.toThrow('RUNBOOK_EGRESS_DENY: `10.0.0.0/99` is not a CIDR');
  });
});
