// Prometheus metrics of the receiver, on GET /metrics.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ReceiverMetrics {
  registry: Registry;
  requests: Histogram<'source' | 'status'>;
  alerts: Counter<'source' | 'status'>;
  outcomes: Counter<'runbook' | 'outcome'>;
  unmatched: Counter<'source'>;
  rejected: Counter<'source' | 'reason'>;
}

export function receiverMetrics(): ReceiverMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'runbook_receiver_' });
  return {
    registry,
    requests: new Histogram({
      name: 'runbook_receiver_request_seconds',
      help: 'Time to answer an alert delivery.',
      labelNames: ['source', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'runbook_receiver_alerts_total',
      help: 'Alerts received, by source and alert status.',
      labelNames: ['source', 'status'],
      registers: [registry],
    }),
    outcomes: new Counter({
      name: 'runbook_receiver_remediations_total',
      help: 'What each matched alert did: started, duplicate (already running or done), resolved-signalled, refused (inputs).',
      labelNames: ['runbook', 'outcome'],
      registers: [registry],
    }),
    unmatched: new Counter({
      name: 'runbook_receiver_unmatched_alerts_total',
      help: 'Alerts that matched no runbook (logged, never dropped silently).',
      labelNames: ['source'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'runbook_receiver_rejected_requests_total',
      help: 'Deliveries refused, by reason: auth, content-type, json, payload, too-large.',
      labelNames: ['source', 'reason'],
      registers: [registry],
    }),
  };
}
