// Alertmanager's webhook payload, which Grafana Alerting's webhook reuses (with a different
// version and extra fields): a group of alerts, each with its own status and fingerprint.
// Extra fields (groupKey, truncatedAlerts, Grafana's values, ...) are not needed to start a
// remediation and are ignored.
import type { Alert } from '../../dsl/alert';
import { ObjectReader, fail, own } from './fields';
import { compact, type Delivery } from './result';

export interface AlertGroupFormat {
  source: 'alertmanager' | 'grafana';
  version: string;
  /** Grafana: the group's `title` stands in for a missing alertname and summary. */
  titleFallback: boolean;
}

export function readAlertGroup(body: unknown, format: AlertGroupFormat): Delivery {
  const group = ObjectReader.body(body);
  const version = group.optionalString('version');
  if (version !== format.version) {
    fail('version', `must be ${JSON.stringify(format.version)}, got ${version === undefined ? 'none' : JSON.stringify(version)}`);
  }
  const externalURL = group.optionalString('externalURL');
  const title = format.titleFallback ? group.optionalString('title') : undefined;
  const alerts = group.alertList('alerts').map((alert): Alert => {
    const labels = alert.stringRecord('labels');
    const annotations = alert.optionalStringRecord('annotations');
    const name = own(labels, 'alertname') || title;
    if (name === undefined) fail(`${alert.pathOf('labels')}.alertname`, format.titleFallback ? 'is required when the group has no title' : 'is required');
    return compact<Alert>({
      source: format.source,
      status: alert.oneOf('status', ['firing', 'resolved']),
      fingerprint: alert.string('fingerprint'),
      name,
      labels,
      annotations,
      startsAt: alert.optionalTimestamp('startsAt'),
      endsAt: alert.optionalTimestamp('endsAt'),
      generatorURL: alert.optionalString('generatorURL'),
      externalURL,
      summary: own(annotations, 'summary') || title,
    });
  });
  return { alerts };
}
