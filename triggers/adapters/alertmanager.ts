// Prometheus Alertmanager's webhook receiver payload, version "4".
// Alertmanager sends no delivery id: it re-sends whole groups (every repeat_interval, on every
// change, twice in HA mode), so duplicates are told apart by alert fingerprint downstream.
import type { IncomingRequest, ParseResult } from '../request';
import { readAlertGroup } from './alert-group';
import { parseDelivery } from './result';

export function parse(body: unknown, _req: IncomingRequest): ParseResult {
  return parseDelivery(() => readAlertGroup(body, { source: 'alertmanager', version: '4', titleFallback: false }));
}
