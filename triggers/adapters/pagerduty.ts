// PagerDuty V3 webhooks: one event per POST. Only incident.triggered and incident.resolved start
// or end a remediation; every other event (acknowledged, annotated, pagey.ping, ...) is accepted
// and ignored, so PagerDuty does not retry it for 48 h. The incident id is the fingerprint: one
// remediation per incident, however many events it produces.
import type { Alert } from '../../dsl/alert';
import { headerValue, type IncomingRequest, type ParseResult } from '../request';
import { ObjectReader } from './fields';
import { compact, parseDelivery } from './result';

const STATUS_OF_EVENT: Readonly<Record<string, Alert['status']>> = { 'incident.triggered': 'firing', 'incident.resolved': 'resolved' };

export function parse(body: unknown, req: IncomingRequest): ParseResult {
  // X-Webhook-Id identifies the delivery; PagerDuty keeps it across retries.
  const deliveryId = headerValue(req, 'x-webhook-id');
  return parseDelivery(() => {
    const event = ObjectReader.body(body).object('event');
    const eventType = event.string('event_type');
    const status = Object.hasOwn(STATUS_OF_EVENT, eventType) ? STATUS_OF_EVENT[eventType] : undefined;
    if (status === undefined) {
      return { alerts: [], deliveryId, ignored: `PagerDuty ${eventType} events start nothing; only incident.triggered and incident.resolved do` };
    }
    const incident = event.object('data');
    const title = incident.string('title');
    const service = incident.optionalObject('service');
    const number = incident.optionalInteger('number');
    const alert = compact<Alert>({
      source: 'pagerduty',
      status,
      fingerprint: incident.string('id'),
      name: title,
      // What runbooks match on; the rest of the incident stays in PagerDuty, one click away via generatorURL.
      labels: compact({
        alertname: title,
        service: service?.optionalString('summary'),
        service_id: service?.optionalString('id'),
        urgency: incident.optionalString('urgency'),
        priority: incident.optionalObject('priority')?.optionalString('summary'),
        incident_number: number === undefined ? undefined : String(number),
        incident_key: incident.optionalString('incident_key'),
      }),
      annotations: {},
      startsAt: incident.optionalTimestamp('created_at'),
      // A resolve event happens when the incident ends.
      endsAt: status === 'resolved' ? event.optionalTimestamp('occurred_at') : undefined,
      generatorURL: incident.optionalString('html_url'),
      summary: title,
    });
    return { alerts: [alert], deliveryId };
  });
}
