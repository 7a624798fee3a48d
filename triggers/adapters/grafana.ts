// Grafana Alerting's webhook contact point payload, version "1": Alertmanager's format plus
// Grafana fields (title, message, values, silence/dashboard/panel URLs). The group title stands in
// for a missing alertname or summary. No delivery id: Grafana re-sends groups like Alertmanager.
import type { IncomingRequest, ParseResult } from '../request';
import { readAlertGroup } from './alert-group';
import { parseDelivery } from './result';

export function parse(body: unknown, _req: IncomingRequest): ParseResult {
  return parseDelivery(() => readAlertGroup(body, { source: 'grafana', version: '1', titleFallback: true }));
}
