// Authenticating a delivery before anything in it is parsed or trusted.
import type { AlertSource } from '../../dsl/alert';
import type { AuthResult, IncomingRequest } from '../request';
import { verifyAlertmanager } from './alertmanager';
import { notConfigured, type SourceAuthConfig } from './config';
import { verifyGrafana } from './grafana';
import { verifyPagerDuty } from './pagerduty';
import { verifyStandardWebhook } from './standard-webhooks';

export type { SourceAuthConfig } from './config';

/** Refuses unless `req` carries valid credentials for `source`; a source without configuration refuses everything. */
export function authenticate(source: AlertSource, config: SourceAuthConfig, req: IncomingRequest): AuthResult {
  switch (source) {
    case 'alertmanager':
      return config.alertmanager ? verifyAlertmanager(config.alertmanager, req) : notConfigured(source);
    case 'grafana':
      return config.grafana ? verifyGrafana(config.grafana, req) : notConfigured(source);
    case 'pagerduty':
      return config.pagerduty ? verifyPagerDuty(config.pagerduty, req) : notConfigured(source);
    case 'webhook':
      return config.webhook ? verifyStandardWebhook(config.webhook, req) : notConfigured(source);
    case 'manual':
      return { ok: false, reason: 'manual alerts are raised inside the engine, not received over HTTP' };
  }
}
