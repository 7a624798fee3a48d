// `notify.pagerduty` against a local server that answers as PagerDuty's Events API v2 does:
// trigger, then resolve by the dedup key; refused inputs never reach the endpoint.
import notifyPagerduty from '../../activities/actions/notify-pagerduty';
import { actionContext } from '../helpers/action-context';
import { startHttpServer, type TestServer } from '../helpers/http-server';

let server: TestServer;
let status = 202;
beforeAll(async () => {
  server = await startHttpServer((_req, res, body) => {
    const event = JSON.parse(body) as { dedup_key?: string };
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        status === 202 ? { status: 'success', message: 'Event processed', dedup_key: event.dedup_key ?? 'pd-new-key' } : { status: 'invalid event' },
      ),
    );
  });
  process.env.PAGERDUTY_EVENTS_URL = `${server.url}/v2/enqueue`;
});
afterAll(async () => {
  delete process.env.PAGERDUTY_EVENTS_URL;
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  status = 202;
});

it('opens an incident and returns the key PagerDuty gave it, then resolves it by that key', async () => {
  const opened = await notifyPagerduty.run(
    { routingKey: 'R0UT1NG', summary: 'checkout 5xx above SLO', severity: 'critical', link: 'http://ui/run' },
    actionContext(),
  );
  expect(opened).toEqual({ status: 202, dedupKey: 'pd-new-key' });
  expect(JSON.parse(server.requests[0]!.body)).toEqual({
    routing_key: 'R0UT1NG',
    event_action: 'trigger',
    payload: { summary: 'checkout 5xx above SLO', source: 'runbook-engine', severity: 'critical' },
    links: [{ href: 'http://ui/run', text: 'Open' }],
  });
  const resolved = await notifyPagerduty.run({ routingKey: 'R0UT1NG', action: 'resolve', dedupKey: opened.dedupKey! }, actionContext());
  expect(resolved).toEqual({ status: 202, dedupKey: 'pd-new-key' });
  expect(JSON.parse(server.requests[1]!.body)).toEqual({ routing_key: 'R0UT1NG', event_action: 'resolve', dedup_key: 'pd-new-key' });
});

it('refuses a trigger without a summary and a resolve without a key, before sending anything', async () => {
  await expect(notifyPagerduty.run({ routingKey: 'R' }, actionContext())).rejects.toMatchObject({ nonRetryable: true, message: 'a trigger needs a `summary`' });
  await expect(notifyPagerduty.run({ routingKey: 'R', action: 'resolve' }, actionContext())).rejects.toMatchObject({
    nonRetryable: true,
    message: 'to resolve an incident, give the `dedupKey` of the trigger that opened it',
  });
  expect(server.requests).toEqual([]);
});

it('fails finally on a refused event, and never echoes the routing key in the error', async () => {
  status = 400;
  const err = await notifyPagerduty.run({ routingKey: 'SECRET-ROUTING-KEY', summary: 'x' }, actionContext()).catch((e: Error) => e);
  expect(err).toMatchObject({ nonRetryable: true, message: 'POST PagerDuty Events answered 400: {"status":"invalid event"}' });
  expect((err as Error).message).not.toContain('SECRET-ROUTING-KEY');
});
