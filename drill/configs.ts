// The drill's Prometheus and Alertmanager configuration, written for the ports of this drill. The
// alert rule for the demo service is in drill/checkout-rules.yml; the engine's own rules are
// config/observability/engine-alerts.yml.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../repository/project';

export interface DrillPorts {
  kine: number;
  api: number;
  checkout: number;
  prometheus: number;
  alertmanager: number;
  alertmanagerCluster: number;
  temporal: number;
  temporalMetrics: number;
  ui: number;
  receiver: number;
  inbox: number;
  workerMetrics: number;
}

export function writePrometheusConfig(dir: string, ports: DrillPorts): string {
  const file = path.join(dir, 'prometheus.yml');
  const target = (job: string, port: number) => `  - { job_name: ${job}, static_configs: [{ targets: ['127.0.0.1:${port}'] }] }`;
  writeFileSync(
    file,
    [
      '# Fast intervals: the drill is minutes long, not hours.',
      'global: { scrape_interval: 2s, evaluation_interval: 2s }',
      'rule_files:',
      `  - ${path.join(PROJECT_ROOT, 'drill', 'checkout-rules.yml')}`,
      `  - ${path.join(PROJECT_ROOT, 'config', 'observability', 'engine-alerts.yml')}`,
      `alerting: { alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:${ports.alertmanager}'] }] }] }`,
      'scrape_configs:',
      target('checkout', ports.checkout),
      target('runbook-worker', ports.workerMetrics),
      target('runbook-receiver', ports.receiver),
      target('temporal', ports.temporalMetrics),
      '',
    ].join('\n'),
  );
  return file;
}

/** Alertmanager routes every alert to the receiver, with the bearer token the receiver expects; resolved too. */
export function writeAlertmanagerConfig(dir: string, ports: DrillPorts, token: string): string {
  const file = path.join(dir, 'alertmanager.yml');
  writeFileSync(
    file,
    [
      'route:',
      '  receiver: runbooks',
      '  group_by: [alertname, service]',
      '  group_wait: 1s',
      '  group_interval: 2s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: runbooks',
      '    webhook_configs:',
      `      - url: http://127.0.0.1:${ports.receiver}/alerts/alertmanager`,
      '        send_resolved: true',
      `        http_config: { authorization: { credentials: '${token}' } }`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}
