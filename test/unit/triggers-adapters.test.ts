import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Alert } from '../../dsl/alert';
import { ADAPTERS, isHttpAlertSource, type HttpAlertSource } from '../../triggers/adapters';
import type { IncomingRequest, ParseResult } from '../../triggers/request';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'alerts');
const RECEIVED_AT = Date.UTC(2026, 10, 29, 10, 21, 0);

// Payloads are untyped JSON that tests edit freely.
type Json = any;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

function request(body: unknown, headers: Record<string, string> = {}): IncomingRequest {
  return { rawBody: Buffer.from(JSON.stringify(body)), headers, receivedAt: RECEIVED_AT };
}

/** Parses as the server will: JSON text in, the source's adapter applied to JSON.parse of it. */
function parse(source: HttpAlertSource, body: unknown, headers: Record<string, string> = {}): ParseResult {
  const req = request(body, headers);
  return ADAPTERS[source](JSON.parse(req.rawBody.toString('utf8')), req);
}

function alertsOf(result: ParseResult): Alert[] {
  if (!result.ok) throw new Error(`expected ok, got ${result.status}: ${result.reason}`);
  return result.alerts;
}

function edited(name: string, edit: (body: Json) => void): Json {
  const body = fixture(name);
  edit(body);
  return body;
}

const PROMETHEUS_URL = 'http://prometheus.example.internal:9090/graph?g0.expr=job%3Ahttp_5xx_rate%3A5m+%3E+0.05';
const ALERTMANAGER_URL = 'http://alertmanager.example.internal:9093';

describe('Alertmanager adapter', () => {
  it('normalises a firing group to one alert per entry', () => {
    expect(parse('alertmanager', fixture('alertmanager-firing.json'))).toStrictEqual({
      ok: true,
      alerts: [
        {
          source: 'alertmanager',
          status: 'firing',
          fingerprint: '7d3c1a2b9e0f4c55',
          name: 'HighErrorRate',
          labels: { alertname: 'HighErrorRate', severity: 'critical', namespace: 'prod', service: 'checkout' },
          annotations: { summary: 'checkout 5xx rate is 7.2%', runbook_url: 'https://wiki.example.internal/runbooks/high-error-rate' },
          startsAt: '2026-11-29T10:15:30.123Z',
          generatorURL: PROMETHEUS_URL,
          externalURL: ALERTMANAGER_URL,
          summary: 'checkout 5xx rate is 7.2%',
        },
        {
          source: 'alertmanager',
          status: 'firing',
          fingerprint: 'a91f00c3d2e8b716',
          name: 'HighErrorRate',
          labels: { alertname: 'HighErrorRate', severity: 'critical', namespace: 'prod', service: 'payments' },
          annotations: { summary: 'payments 5xx rate is 5.4%' },
          startsAt: '2026-11-29T10:16:02.000Z',
          generatorURL: PROMETHEUS_URL,
          externalURL: ALERTMANAGER_URL,
          summary: 'payments 5xx rate is 5.4%',
        },
      ],
    });
  });

  it('normalises a resolved group, keeping endsAt and the fingerprint of the firing alert', () => {
    expect(parse('alertmanager', fixture('alertmanager-resolved.json'))).toStrictEqual({
      ok: true,
      alerts: [
        {
          source: 'alertmanager',
          status: 'resolved',
          fingerprint: '7d3c1a2b9e0f4c55',
          name: 'HighErrorRate',
          labels: { alertname: 'HighErrorRate', severity: 'critical', namespace: 'prod', service: 'checkout' },
          annotations: { summary: 'checkout 5xx rate is 7.2%' },
          startsAt: '2026-11-29T10:15:30.123Z',
          endsAt: '2026-11-29T10:41:12.000Z',
          generatorURL: PROMETHEUS_URL,
          externalURL: ALERTMANAGER_URL,
          summary: 'checkout 5xx rate is 7.2%',
        },
      ],
    });
  });

  it('takes each alert’s own status, not the group’s', () => {
    const body = edited('alertmanager-firing.json', (b) => (b.alerts[1].status = 'resolved'));
    expect(alertsOf(parse('alertmanager', body)).map((a) => a.status)).toEqual(['firing', 'resolved']);
  });

  it('leaves out empty optional fields and no summary when the alert has none', () => {
    const body = edited('alertmanager-firing.json', (b) => {
      b.alerts[0].generatorURL = '';
      delete b.alerts[0].annotations;
      delete b.externalURL;
    });
    const [alert] = alertsOf(parse('alertmanager', body));
    expect(alert).toStrictEqual({
      source: 'alertmanager',
      status: 'firing',
      fingerprint: '7d3c1a2b9e0f4c55',
      name: 'HighErrorRate',
      labels: { alertname: 'HighErrorRate', severity: 'critical', namespace: 'prod', service: 'checkout' },
      annotations: {},
      startsAt: '2026-11-29T10:15:30.123Z',
    });
  });

  it('accepts exactly 1000 alerts', () => {
    const body = edited('alertmanager-firing.json', (b) => (b.alerts = Array.from({ length: 1000 }, () => b.alerts[0])));
    expect(alertsOf(parse('alertmanager', body))).toHaveLength(1000);
  });

  it('answers an empty group with no alerts and says why', () => {
    const body = edited('alertmanager-firing.json', (b) => (b.alerts = []));
    expect(parse('alertmanager', body)).toStrictEqual({ ok: true, alerts: [], ignored: 'the delivery carries no alerts' });
  });

  it.each<[string, unknown, 400 | 422, string]>([
    ['null', null, 400, 'body must be a JSON object'],
    ['an array', [fixture('alertmanager-firing.json')], 400, 'body must be a JSON object'],
    ['a string', 'alerts', 400, 'body must be a JSON object'],
    ['version 3', edited('alertmanager-firing.json', (b) => (b.version = '3')), 422, 'version must be "4", got "3"'],
    ['no version', edited('alertmanager-firing.json', (b) => delete b.version), 422, 'version must be "4", got none'],
    ['version as a number', edited('alertmanager-firing.json', (b) => (b.version = 4)), 422, 'version must be a string'],
    ['no alerts', edited('alertmanager-firing.json', (b) => delete b.alerts), 422, 'alerts is required'],
    ['alerts not a list', edited('alertmanager-firing.json', (b) => (b.alerts = {})), 422, 'alerts must be an array'],
    ['an alert that is not an object', edited('alertmanager-firing.json', (b) => (b.alerts[1] = 'x')), 422, 'alerts[1] must be an object'],
    ['a numeric label value', edited('alertmanager-firing.json', (b) => (b.alerts[1].labels.service = 5)), 422, 'alerts[1].labels.service must be a string'],
    [
      'a null annotation',
      edited('alertmanager-firing.json', (b) => (b.alerts[0].annotations.summary = null)),
      422,
      'alerts[0].annotations.summary must be a string',
    ],
    [
      'an odd label name',
      edited('alertmanager-firing.json', (b) => (b.alerts[0].labels['app.kubernetes.io/name'] = true)),
      422,
      'alerts[0].labels["app.kubernetes.io/name"] must be a string',
    ],
    ['labels not an object', edited('alertmanager-firing.json', (b) => (b.alerts[0].labels = ['a'])), 422, 'alerts[0].labels must be an object'],
    ['no labels', edited('alertmanager-firing.json', (b) => delete b.alerts[0].labels), 422, 'alerts[0].labels is required'],
    ['no alertname', edited('alertmanager-firing.json', (b) => delete b.alerts[1].labels.alertname), 422, 'alerts[1].labels.alertname is required'],
    ['no fingerprint', edited('alertmanager-firing.json', (b) => delete b.alerts[0].fingerprint), 422, 'alerts[0].fingerprint is required'],
    ['a numeric fingerprint', edited('alertmanager-firing.json', (b) => (b.alerts[0].fingerprint = 7)), 422, 'alerts[0].fingerprint must be a string'],
    ['an empty fingerprint', edited('alertmanager-firing.json', (b) => (b.alerts[0].fingerprint = '')), 422, 'alerts[0].fingerprint must not be empty'],
    ['an unknown status', edited('alertmanager-firing.json', (b) => (b.alerts[0].status = 'pending')), 422, 'alerts[0].status must be "firing" or "resolved"'],
    [
      'a bad startsAt',
      edited('alertmanager-firing.json', (b) => (b.alerts[0].startsAt = 'yesterday')),
      422,
      'alerts[0].startsAt must be an RFC 3339 timestamp',
    ],
    ['a numeric endsAt', edited('alertmanager-firing.json', (b) => (b.alerts[0].endsAt = 0)), 422, 'alerts[0].endsAt must be a string'],
    [
      '1001 alerts',
      edited('alertmanager-firing.json', (b) => (b.alerts = Array.from({ length: 1001 }, () => b.alerts[0]))),
      422,
      'alerts has 1001 entries; at most 1000 alerts per delivery',
    ],
  ])('refuses %s', (_what, body, status, reason) => {
    expect(parse('alertmanager', body)).toStrictEqual({ ok: false, status, reason });
  });

  it('reads own fields only: inherited ones do not count', () => {
    const inherited = Object.create(fixture('alertmanager-firing.json'));
    const req = request({});
    expect(ADAPTERS.alertmanager(inherited, req)).toStrictEqual({ ok: false, status: 422, reason: 'version must be "4", got none' });
  });
});

describe('Grafana adapter', () => {
  const GRAFANA_ALERT: Alert = {
    source: 'grafana',
    status: 'firing',
    fingerprint: '3f6d2c8e11b04a97',
    name: 'DiskAlmostFull',
    labels: { alertname: 'DiskAlmostFull', grafana_folder: 'infra', instance: 'db-3:9100', mountpoint: '/var/lib/postgresql' },
    annotations: { summary: 'Disk on db-3 is 93% full' },
    startsAt: '2026-11-29T09:01:00Z',
    generatorURL: 'https://grafana.example.internal/alerting/grafana/c2b7e1/view?orgId=1',
    externalURL: 'https://grafana.example.internal/',
    summary: 'Disk on db-3 is 93% full',
  };
  const TITLE = '[FIRING:1] DiskAlmostFull infra (db-3:9100 /var/lib/postgresql)';

  it('normalises the fixture', () => {
    expect(parse('grafana', fixture('grafana-firing.json'))).toStrictEqual({ ok: true, alerts: [GRAFANA_ALERT] });
  });

  it('falls back to the group title for a missing summary and alertname', () => {
    const body = edited('grafana-firing.json', (b) => {
      delete b.alerts[0].labels.alertname;
      b.alerts[0].annotations = {};
    });
    const labels = { ...GRAFANA_ALERT.labels };
    delete labels.alertname;
    expect(alertsOf(parse('grafana', body))).toStrictEqual([{ ...GRAFANA_ALERT, name: TITLE, labels, annotations: {}, summary: TITLE }]);
  });

  it.each<[string, Json, string]>([
    ['an Alertmanager version', edited('grafana-firing.json', (b) => (b.version = '4')), 'version must be "1", got "4"'],
    [
      'neither alertname nor title',
      edited('grafana-firing.json', (b) => {
        delete b.alerts[0].labels.alertname;
        delete b.title;
      }),
      'alerts[0].labels.alertname is required when the group has no title',
    ],
    ['a numeric title', edited('grafana-firing.json', (b) => (b.title = 1)), 'title must be a string'],
    ['a numeric annotation', edited('grafana-firing.json', (b) => (b.alerts[0].annotations.value = 93.1)), 'alerts[0].annotations.value must be a string'],
  ])('refuses %s with 422', (_what, body, reason) => {
    expect(parse('grafana', body)).toStrictEqual({ ok: false, status: 422, reason });
  });
});

describe('PagerDuty adapter', () => {
  const DELIVERY = { 'x-webhook-id': 'b3a8c1d2-0f6e-4e2b-9c55-7d3c1a2b9e0f' };
  const INCIDENT: Alert = {
    source: 'pagerduty',
    status: 'firing',
    fingerprint: 'Q2ZB1NX4S0KEXA',
    name: 'HighErrorRate on checkout',
    labels: {
      alertname: 'HighErrorRate on checkout',
      service: 'checkout-api',
      service_id: 'PSVC123',
      urgency: 'high',
      incident_number: '4821',
      incident_key: 'checkout-high-error-rate',
    },
    annotations: {},
    startsAt: '2026-11-29T10:20:41Z',
    generatorURL: 'https://example.pagerduty.com/incidents/Q2ZB1NX4S0KEXA',
    summary: 'HighErrorRate on checkout',
  };

  function event(eventType: string, edit: (b: Json) => void = () => undefined): Json {
    return edited('pagerduty-incident-triggered.json', (b) => {
      b.event.event_type = eventType;
      edit(b);
    });
  }

  it('normalises incident.triggered to one firing alert per incident, with the delivery id', () => {
    expect(parse('pagerduty', fixture('pagerduty-incident-triggered.json'), DELIVERY)).toStrictEqual({
      ok: true,
      alerts: [INCIDENT],
      deliveryId: DELIVERY['x-webhook-id'],
    });
  });

  it('normalises incident.resolved to the same fingerprint, ending when the event occurred', () => {
    const body = event('incident.resolved', (b) => {
      b.event.occurred_at = '2026-11-29T10:52:03.000Z';
      b.event.data.status = 'resolved';
    });
    expect(alertsOf(parse('pagerduty', body, DELIVERY))).toStrictEqual([{ ...INCIDENT, status: 'resolved', endsAt: '2026-11-29T10:52:03.000Z' }]);
  });

  it('labels the priority when the incident has one', () => {
    const body = event('incident.triggered', (b) => (b.event.data.priority = { id: 'PPRI1', summary: 'P1', type: 'priority_reference' }));
    expect(alertsOf(parse('pagerduty', body))[0]!.labels).toStrictEqual({ ...INCIDENT.labels, priority: 'P1' });
  });

  it.each(['incident.acknowledged', 'incident.annotated', 'incident.reassigned', 'pagey.ping'])('accepts %s and ignores it, saying why', (eventType) => {
    expect(parse('pagerduty', event(eventType), DELIVERY)).toStrictEqual({
      ok: true,
      alerts: [],
      deliveryId: DELIVERY['x-webhook-id'],
      ignored: `PagerDuty ${eventType} events start nothing; only incident.triggered and incident.resolved do`,
    });
  });

  it('has no delivery id without the X-Webhook-Id header', () => {
    expect(parse('pagerduty', fixture('pagerduty-incident-triggered.json'))).toStrictEqual({ ok: true, alerts: [INCIDENT] });
  });

  it.each<[string, Json, string]>([
    ['no event', { messages: [] }, 'event is required'],
    ['no event type', event('incident.triggered', (b) => delete b.event.event_type), 'event.event_type is required'],
    ['no incident', event('incident.triggered', (b) => delete b.event.data), 'event.data is required'],
    ['no incident id', event('incident.triggered', (b) => delete b.event.data.id), 'event.data.id is required'],
    ['a numeric title', event('incident.triggered', (b) => (b.event.data.title = 42)), 'event.data.title must be a string'],
    ['a textual incident number', event('incident.triggered', (b) => (b.event.data.number = '4821')), 'event.data.number must be an integer'],
    ['a service that is not an object', event('incident.triggered', (b) => (b.event.data.service = 'checkout-api')), 'event.data.service must be an object'],
    ['a numeric urgency', event('incident.triggered', (b) => (b.event.data.urgency = 1)), 'event.data.urgency must be a string'],
  ])('refuses %s with 422', (_what, body, reason) => {
    expect(parse('pagerduty', body)).toStrictEqual({ ok: false, status: 422, reason });
  });
});

describe('generic webhook adapter', () => {
  const DELIVERY = { 'webhook-id': 'msg_2Nf3kLq8' };

  /** sha256 of the canonical JSON (sorted keys) of { name, labels }, computed independently of the adapter. */
  function derivedFingerprint(canonical: string): string {
    return createHash('sha256').update(canonical).digest('hex');
  }

  it('normalises a batch, deriving the fingerprint when none is given', () => {
    expect(parse('webhook', fixture('webhook-alerts.json'), DELIVERY)).toStrictEqual({
      ok: true,
      deliveryId: 'msg_2Nf3kLq8',
      alerts: [
        {
          source: 'webhook',
          status: 'firing',
          fingerprint: 'billing-queue-backlog',
          name: 'QueueBacklog',
          labels: { service: 'billing', severity: 'warning', queue: 'invoices' },
          annotations: { runbook_url: 'https://wiki.example.internal/runbooks/queue-backlog' },
          summary: 'billing invoices queue has 12k messages',
          startsAt: '2026-11-29T10:30:00+01:00',
        },
        {
          source: 'webhook',
          status: 'firing',
          fingerprint: derivedFingerprint('{"labels":{"domain":"api.example.com"},"name":"CertificateExpiring"}'),
          name: 'CertificateExpiring',
          labels: { domain: 'api.example.com' },
          annotations: {},
        },
      ],
    });
  });

  it('accepts a single alert object', () => {
    expect(parse('webhook', { name: 'Ping', status: 'resolved' })).toStrictEqual({
      ok: true,
      alerts: [
        { source: 'webhook', status: 'resolved', fingerprint: derivedFingerprint('{"labels":{},"name":"Ping"}'), name: 'Ping', labels: {}, annotations: {} },
      ],
    });
  });

  it('derives one fingerprint per name and label set, whatever the label order or status', () => {
    const fingerprint = (alert: Json) => alertsOf(parse('webhook', alert))[0]!.fingerprint;
    const firing = fingerprint({ name: 'X', labels: { b: '2', a: '1' } });
    expect(fingerprint({ name: 'X', status: 'resolved', labels: { a: '1', b: '2' } })).toBe(firing);
    expect(firing).toBe(derivedFingerprint('{"labels":{"a":"1","b":"2"},"name":"X"}'));
    expect(fingerprint({ name: 'X', labels: { a: '1', b: '3' } })).not.toBe(firing);
    expect(fingerprint({ name: 'Y', labels: { a: '1', b: '2' } })).not.toBe(firing);
  });

  it('answers an empty batch with no alerts and says why', () => {
    expect(parse('webhook', { alerts: [] }, DELIVERY)).toStrictEqual({
      ok: true,
      alerts: [],
      deliveryId: 'msg_2Nf3kLq8',
      ignored: 'the delivery carries no alerts',
    });
  });

  it.each<[string, unknown, 400 | 422, string]>([
    ['a number', 42, 400, 'body must be a JSON object'],
    ['a single alert without a name', { labels: {} }, 422, 'name is required'],
    ['an empty name', { name: '' }, 422, 'name must not be empty'],
    ['a batched alert without a name', { alerts: [{ name: 'A' }, { summary: 'no name' }] }, 422, 'alerts[1].name is required'],
    [
      'a misspelt field',
      { alerts: [{ name: 'A', lables: { a: 'b' } }] },
      422,
      'alerts[0].lables is not a known field (known: name, status, fingerprint, labels, annotations, summary, startsAt)',
    ],
    ['fields beside the batch', { alerts: [], source: 'x' }, 422, 'source is not a known field (known: alerts)'],
    ['an unknown status', { name: 'A', status: 'ok' }, 422, 'status must be "firing" or "resolved"'],
    ['a boolean label', { name: 'A', labels: { paged: true } }, 422, 'labels.paged must be a string'],
    ['a nested annotation', { name: 'A', annotations: { detail: { a: 1 } } }, 422, 'annotations.detail must be a string'],
    ['a numeric startsAt', { name: 'A', startsAt: 1764410400 }, 422, 'startsAt must be a string'],
    ['a batch that is not a list', { alerts: { name: 'A' } }, 422, 'alerts must be an array'],
    ['1001 alerts', { alerts: Array.from({ length: 1001 }, (_, i) => ({ name: `A${i}` })) }, 422, 'alerts has 1001 entries; at most 1000 alerts per delivery'],
  ])('refuses %s', (_what, body, status, reason) => {
    expect(parse('webhook', body)).toStrictEqual({ ok: false, status, reason });
  });
});

describe('label values are data', () => {
  const PAYLOADS = [
    '$(rm -rf /)',
    '`reboot`',
    '${{ secrets.x }}',
    '{{ .Values.password }}',
    '${alert.labels.x}',
    "'; DROP TABLE alerts; --",
    '<script>alert(1)</script>',
    'line\nbreak\ttab\u0000nul',
    '\u202Eevil\u200B zero-width',
    ' padded ',
    '',
  ];

  function injected(source: HttpAlertSource): Json {
    const labels = Object.fromEntries(PAYLOADS.map((value, i) => [`p${i}`, value]));
    switch (source) {
      case 'alertmanager':
      case 'grafana': {
        const body = fixture(source === 'alertmanager' ? 'alertmanager-firing.json' : 'grafana-firing.json');
        body.alerts[0].labels = { ...labels, alertname: PAYLOADS[0] };
        body.alerts[0].annotations = labels;
        return body;
      }
      case 'webhook':
        return { name: PAYLOADS[0], labels, annotations: labels };
      case 'pagerduty':
        return edited('pagerduty-incident-triggered.json', (b) => (b.event.data.title = PAYLOADS[0]));
    }
  }

  it.each<HttpAlertSource>(['alertmanager', 'grafana', 'webhook'])('%s passes injection strings through byte for byte', (source) => {
    const [alert] = alertsOf(parse(source, injected(source)));
    PAYLOADS.forEach((value, i) => {
      expect(alert!.labels[`p${i}`]).toBe(value);
      expect(alert!.annotations[`p${i}`]).toBe(value);
    });
    expect(alert!.name).toBe(PAYLOADS[0]);
  });

  it('pagerduty passes an injection string in the title through byte for byte', () => {
    const [alert] = alertsOf(parse('pagerduty', injected('pagerduty')));
    expect([alert!.name, alert!.summary, alert!.labels.alertname]).toEqual([PAYLOADS[0], PAYLOADS[0], PAYLOADS[0]]);
  });
});

describe('prototype pollution', () => {
  // JSON.parse keeps "__proto__" as an own key; the adapters must keep it as plain data too.
  const HOSTILE_LABELS = '{"alertname":"A","__proto__":"x","constructor":"y","hasOwnProperty":"z","toString":"w"}';

  it.each<[HttpAlertSource, string]>([
    ['alertmanager', `{"version":"4","alerts":[{"status":"firing","fingerprint":"f","labels":${HOSTILE_LABELS},"annotations":${HOSTILE_LABELS}}]}`],
    ['grafana', `{"version":"1","alerts":[{"status":"firing","fingerprint":"f","labels":${HOSTILE_LABELS},"annotations":${HOSTILE_LABELS}}]}`],
    ['webhook', `{"name":"A","labels":${HOSTILE_LABELS},"annotations":${HOSTILE_LABELS}}`],
  ])('%s keeps labels named __proto__ and constructor as inert data', (source, json) => {
    const req: IncomingRequest = { rawBody: Buffer.from(json), headers: {}, receivedAt: RECEIVED_AT };
    const [alert] = alertsOf(ADAPTERS[source](JSON.parse(json), req));
    for (const record of [alert!.labels, alert!.annotations]) {
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
      expect(Object.keys(record)).toEqual(['alertname', '__proto__', 'constructor', 'hasOwnProperty', 'toString']);
      expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toBe('x');
      expect(Object.getOwnPropertyDescriptor(record, 'constructor')?.value).toBe('y');
    }
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('x');
    expect({}.constructor).toBe(Object);
  });

  it('refuses an object under __proto__ instead of merging it', () => {
    const json = '{"name":"A","labels":{"__proto__":{"polluted":"yes"}}}';
    const req: IncomingRequest = { rawBody: Buffer.from(json), headers: {}, receivedAt: RECEIVED_AT };
    expect(ADAPTERS.webhook(JSON.parse(json), req)).toStrictEqual({ ok: false, status: 422, reason: 'labels.__proto__ must be a string' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not take an inherited alertname', () => {
    const json = '{"version":"4","alerts":[{"status":"firing","fingerprint":"f","labels":{"__proto__":"x"}}]}';
    const req: IncomingRequest = { rawBody: Buffer.from(json), headers: {}, receivedAt: RECEIVED_AT };
    expect(ADAPTERS.alertmanager(JSON.parse(json), req)).toStrictEqual({ ok: false, status: 422, reason: 'alerts[0].labels.alertname is required' });
  });
});

describe('adapter map', () => {
  it('knows the HTTP sources and nothing else', () => {
    expect(Object.keys(ADAPTERS).sort()).toEqual(['alertmanager', 'grafana', 'pagerduty', 'webhook']);
    expect(['alertmanager', 'grafana', 'pagerduty', 'webhook'].every(isHttpAlertSource)).toBe(true);
    expect(['manual', '__proto__', 'constructor', 'toString', ''].some(isHttpAlertSource)).toBe(false);
  });
});
