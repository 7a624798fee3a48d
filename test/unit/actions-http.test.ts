// `http`, `prometheus.query`, `notify.slack` and `notify.webhook` against local servers.
import { ApplicationFailure } from '@temporalio/common';
import http from '../../activities/actions/http';
import notifySlack from '../../activities/actions/notify-slack';
import notifyWebhook from '../../activities/actions/notify-webhook';
import prometheus from '../../activities/actions/prometheus';
import { actionContext } from '../helpers/action-context';
import { startHttpServer, type TestServer } from '../helpers/http-server';
import { freePort } from '../helpers/ports';

let server: TestServer;
let reply: (url: string) => { status: number; body: string; type?: string };
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    const r = reply(req.url ?? '');
    res.writeHead(r.status, { 'content-type': r.type ?? 'application/json', 'set-cookie': 'session=secret' });
    res.end(r.body);
  });
});
afterAll(() => server.close());
beforeEach(() => (server.requests.length = 0));

describe('http', () => {
  it('sends method, headers and a JSON body, and parses a JSON answer', async () => {
    reply = () => ({ status: 201, body: '{"id":7}' });
    const result = await http.run({ url: `${server.url}/things`, method: 'POST', headers: { 'x-team': 'sre' }, json: { name: 'a' } }, actionContext());
    expect(result).toMatchObject({ status: 201, json: { id: 7 }, truncated: false });
    expect(result.headers).toEqual(expect.objectContaining({ 'content-type': 'application/json' }));
    expect(result.headers['set-cookie']).toBeUndefined();
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/things', body: '{"name":"a"}' });
    expect(server.requests[0]!.headers['x-team']).toBe('sre');
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('fails on an unexpected status: retryable for 5xx, final for 4xx', async () => {
    reply = () => ({ status: 503, body: 'down for maintenance', type: 'text/plain' });
    await expect(http.run({ url: server.url }, actionContext())).rejects.toMatchObject({
      type: 'UnexpectedStatus',
      nonRetryable: false,
      message: `GET ${server.url} answered 503: down for maintenance`,
    });
    reply = () => ({ status: 404, body: 'nope', type: 'text/plain' });
    await expect(http.run({ url: server.url }, actionContext())).rejects.toMatchObject({ nonRetryable: true });
    expect((await http.run({ url: server.url, expectStatus: [404] }, actionContext())).status).toBe(404);
  });

  it('fails with the cause when the server cannot be reached', async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    await expect(http.run({ url }, actionContext())).rejects.toMatchObject({ type: 'RequestFailed', message: `GET ${url} failed: ECONNREFUSED` });
  });
});

describe('prometheus.query', () => {
  const vector = (samples: Array<[Record<string, string>, string]>) =>
    JSON.stringify({ status: 'success', data: { resultType: 'vector', result: samples.map(([metric, v]) => ({ metric, value: [1700000000, v] })) } });

  it('returns the first sample and all series of an instant query', async () => {
    reply = () => ({
      status: 200,
      body: vector([
        [{ service: 'api' }, '0.042'],
        [{ service: 'web' }, '0.001'],
      ]),
    });
    const result = await prometheus.run({ url: server.url, query: 'sum by (service) (rate(errors[5m]))' }, actionContext());
    expect(result).toEqual({
      resultType: 'vector',
      value: 0.042,
      labels: { service: 'api' },
      series: [
        { labels: { service: 'api' }, value: 0.042 },
        { labels: { service: 'web' }, value: 0.001 },
      ],
      count: 2,
      empty: false,
    });
    expect(server.requests[0]!.url).toBe('/api/v1/query?query=sum+by+%28service%29+%28rate%28errors%5B5m%5D%29%29');
  });

  it('reports an empty result as null', async () => {
    reply = () => ({ status: 200, body: vector([]) });
    expect(await prometheus.run({ url: server.url, query: 'up == 2' }, actionContext())).toMatchObject({ value: null, empty: true, count: 0 });
  });

  it('does not retry a query Prometheus calls bad', async () => {
    reply = () => ({ status: 400, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }) });
    await expect(prometheus.run({ url: server.url, query: 'sum((' }, actionContext())).rejects.toMatchObject({
      type: 'PrometheusError',
      nonRetryable: true,
      message: 'Prometheus rejected `sum((`: bad_data: parse error at char 5',
    });
  });

  it('needs a URL from the step or PROMETHEUS_URL', async () => {
    delete process.env.PROMETHEUS_URL;
    await expect(prometheus.run({ query: 'up' }, actionContext())).rejects.toBeInstanceOf(ApplicationFailure);
    process.env.PROMETHEUS_URL = server.url;
    reply = () => ({ status: 200, body: vector([[{}, '1']]) });
    expect((await prometheus.run({ query: 'up' }, actionContext())).value).toBe(1);
    delete process.env.PROMETHEUS_URL;
  });
});

describe('notifications', () => {
  it('posts a Slack message', async () => {
    reply = () => ({ status: 200, body: 'ok', type: 'text/plain' });
    expect(await notifySlack.run({ webhook: `${server.url}/hooks/T1`, text: 'api is down' }, actionContext())).toEqual({ status: 200 });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ text: 'api is down' });
  });

  it('posts a JSON event to a webhook', async () => {
    reply = () => ({ status: 202, body: '{"status":"success"}' });
    const result = await notifyWebhook.run({ url: `${server.url}/v2/enqueue`, json: { event_action: 'trigger' } }, actionContext());
    expect(result).toEqual({ status: 202, body: '{"status":"success"}' });
  });

  it('retries a notification the receiver could not take', async () => {
    reply = () => ({ status: 429, body: 'slow down', type: 'text/plain' });
    await expect(notifySlack.run({ webhook: server.url, text: 'x' }, actionContext())).rejects.toMatchObject({ nonRetryable: false });
  });
});
