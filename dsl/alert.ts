// The one alert shape every source is normalised to. Runbooks read it as `alert.*`.

export type AlertSource = 'alertmanager' | 'grafana' | 'pagerduty' | 'webhook' | 'manual';

export interface Alert {
  source: AlertSource;
  status: 'firing' | 'resolved';
  /** Stable identity of the alert at its source; one remediation per fingerprint. */
  fingerprint: string;
  /** `alertname` for Prometheus-style sources, the title otherwise. */
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  externalURL?: string;
  summary?: string;
}

export const ALERT_FIELDS = [
  'source',
  'status',
  'fingerprint',
  'name',
  'labels',
  'annotations',
  'startsAt',
  'endsAt',
  'generatorURL',
  'externalURL',
  'summary',
] as const;

/** What `run.*` offers in expressions. */
export const RUN_FIELDS = ['id', 'runbook', 'hash', 'startedBy'] as const;
