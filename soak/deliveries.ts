// Each delivery as its source sends it: Alertmanager's and Grafana's alert groups (bearer token;
// Grafana's timestamped HMAC), PagerDuty's V3 incident events (HMAC, a delivery id each) and
// Standard Webhooks (signed), with the credentials the soak's receiver is given.
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Delivery } from './plan';

export const CREDENTIALS = {
  alertmanagerToken: 'soak-am-token-0123456789',
  grafanaSecret: 'soak-grafana-secret-0123456789',
  pagerdutySecret: 'soak-pagerduty-secret-0123456789',
  webhookSecret: `whsec_${Buffer.from('soak-webhook-secret-0123456789').toString('base64')}`,
};

/** The receiver's settings for these credentials. */
export const RECEIVER_ENV: NodeJS.ProcessEnv = {
  ALERTMANAGER_TOKENS: CREDENTIALS.alertmanagerToken,
  GRAFANA_WEBHOOK_SECRETS: CREDENTIALS.grafanaSecret,
  GRAFANA_TIMESTAMP_HEADER: 'X-Grafana-Alerting-Signature-Timestamp',
  PAGERDUTY_WEBHOOK_SECRETS: CREDENTIALS.pagerdutySecret,
  WEBHOOK_SECRETS: CREDENTIALS.webhookSecret,
};

export interface Request {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

/**
 * The HTTP request of a delivery, signed now (signatures carry the time they are made). A
 * retry is the same delivery: PagerDuty and Standard Webhooks senders keep its id, so the
 * receiver must not take a retry of a delivery it failed to start for a duplicate.
 */
export function request(d: Delivery, deliveryId: string): Request {
  const o = d.occurrence;
  const resolved = d.kind === 'resolved';
  const labels = { alertname: 'SoakAlert', service: o.service, evidence_s: (o.evidenceMs / 1000).toFixed(1), evidence_exit: o.evidenceFails ? '1' : '0' };
  // Grafana's alert group is Alertmanager's with its own version number.
  const group = () =>
    JSON.stringify({
      version: o.source === 'grafana' ? '1' : '4',
      status: resolved ? 'resolved' : 'firing',
      receiver: 'soak',
      groupLabels: { alertname: 'SoakAlert' },
      commonLabels: labels,
      commonAnnotations: {},
      externalURL: 'http://soak',
      alerts: [
        {
          status: resolved ? 'resolved' : 'firing',
          labels,
          annotations: { summary: `soak alert ${o.id}` },
          startsAt: o.startsAt,
          endsAt: resolved ? new Date(Date.parse(o.startsAt) + 60_000).toISOString() : '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: o.id,
        },
      ],
    });
  switch (o.source) {
    case 'alertmanager':
      return { path: '/alerts/alertmanager', headers: { authorization: `Bearer ${CREDENTIALS.alertmanagerToken}` }, body: group() };
    case 'grafana': {
      const body = group();
      const ts = String(Math.floor(Date.now() / 1000));
      return {
        path: '/alerts/grafana',
        headers: { 'x-grafana-alerting-signature': hmac(CREDENTIALS.grafanaSecret, `${ts}:${body}`), 'x-grafana-alerting-signature-timestamp': ts },
        body,
      };
    }
    case 'pagerduty': {
      const body = JSON.stringify({
        event: {
          id: deliveryId,
          event_type: 'incident.triggered',
          resource_type: 'incident',
          occurred_at: new Date().toISOString(),
          data: {
            id: o.id,
            type: 'incident',
            title: `SoakPage on ${o.service}`,
            created_at: o.startsAt,
            urgency: 'high',
            service: { id: 'PSOAK', summary: o.service },
          },
        },
      });
      return {
        path: '/alerts/pagerduty',
        headers: { 'x-pagerduty-signature': `v1=${hmac(CREDENTIALS.pagerdutySecret, body)}`, 'x-webhook-id': deliveryId },
        body,
      };
    }
    case 'webhook': {
      const body = JSON.stringify({ name: 'SoakPage', labels: { team: 'soak', service: o.service }, fingerprint: o.id, startsAt: o.startsAt });
      const id = `msg_${deliveryId}`;
      const at = new Date();
      return {
        path: '/alerts/webhook',
        headers: {
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(CREDENTIALS.webhookSecret).sign(id, at, body),
        },
        body,
      };
    }
  }
}

/** The workflow id the receiver gives this occurrence's run (triggers/start-remediation.ts). */
export function expectedWorkflowId(d: Delivery): string {
  const o = d.occurrence;
  return o.source === 'pagerduty' ? `${o.runbook}/pagerduty/${o.id}` : `${o.runbook}/${o.source}/${o.id}@${Date.parse(o.startsAt) / 1000}`;
}
