// Which adapter normalises which source's payloads. `manual` alerts are created inside the engine,
// never received over HTTP, so they have no adapter.
import type { AlertSource } from '../../dsl/alert';
import type { IncomingRequest, ParseResult } from '../request';
import * as alertmanager from './alertmanager';
import * as grafana from './grafana';
import * as pagerduty from './pagerduty';
import * as webhook from './webhook';

export type HttpAlertSource = Exclude<AlertSource, 'manual'>;

/** `body` is the already JSON-parsed request body; `req` carries the raw bytes and headers. */
export type Adapter = (body: unknown, req: IncomingRequest) => ParseResult;

export const ADAPTERS: Readonly<Record<HttpAlertSource, Adapter>> = {
  alertmanager: alertmanager.parse,
  grafana: grafana.parse,
  pagerduty: pagerduty.parse,
  webhook: webhook.parse,
};

/** For routing: is this (e.g. a URL path segment) a source we receive over HTTP? */
export function isHttpAlertSource(name: string): name is HttpAlertSource {
  return Object.hasOwn(ADAPTERS, name);
}
