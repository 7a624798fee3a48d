// Generic alerts from any sender that signs with Standard Webhooks (https://www.standardwebhooks.com).
//
// Body: one alert object, or { "alerts": [alert, ...] } with at most 1000 alerts. An alert:
//
//   name         string, required, non-empty          → Alert.name
//   status       "firing" | "resolved"; default "firing"
//   fingerprint  string, optional; default: sha256 (hex) of the canonical JSON of { name, labels },
//                so re-sends and the later "resolved" of the same alert share it
//   labels       object of string values; default {}
//   annotations  object of string values; default {}
//   summary      string, optional
//   startsAt     RFC 3339 timestamp, optional
//
// e.g. { "name": "QueueBacklog", "labels": { "service": "billing", "severity": "warning" },
//        "summary": "billing queue has 12k messages" }
//
// Unknown fields are refused (422): this format is ours, and a typo such as "lables" would otherwise
// start a remediation that matches no runbook. The delivery id is the `webhook-id` header.
import type { Alert } from '../../dsl/alert';
import { hashValue } from '../../dsl/hash';
import { headerValue, type IncomingRequest, type ParseResult } from '../request';
import { ObjectReader } from './fields';
import { compact, parseDelivery } from './result';

const KNOWN_FIELDS = ['name', 'status', 'fingerprint', 'labels', 'annotations', 'summary', 'startsAt'] as const;

export function parse(body: unknown, req: IncomingRequest): ParseResult {
  const deliveryId = headerValue(req, 'webhook-id');
  return parseDelivery(() => {
    const root = ObjectReader.body(body);
    const entries = root.has('alerts') ? batch(root) : [root];
    return { alerts: entries.map(readAlert), deliveryId };
  });
}

function batch(root: ObjectReader): ObjectReader[] {
  root.onlyKnownFields(['alerts']);
  return root.alertList('alerts');
}

function readAlert(alert: ObjectReader): Alert {
  alert.onlyKnownFields(KNOWN_FIELDS);
  const name = alert.string('name');
  const labels = alert.optionalStringRecord('labels');
  return compact<Alert>({
    source: 'webhook',
    status: alert.oneOf('status', ['firing', 'resolved'], 'firing'),
    fingerprint: alert.optionalString('fingerprint') ?? hashValue({ name, labels }),
    name,
    labels,
    annotations: alert.optionalStringRecord('annotations'),
    startsAt: alert.optionalTimestamp('startsAt'),
    summary: alert.optionalString('summary'),
  });
}
