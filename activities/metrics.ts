// Recording the engine's metrics from an activity, through the SDK's activity metric meter (it
// reaches the worker's Prometheus endpoint with the SDK's own metrics).
import { Context } from '@temporalio/activity';
import type { MetricTags } from '@temporalio/common';
import { METRICS, type MetricDefinition } from '../contract/metrics';

type Name = keyof typeof METRICS;

export function count(metric: Name, tags: MetricTags, by = 1): void {
  const m: MetricDefinition = METRICS[metric];
  if (by > 0) Context.current().metricMeter.createCounter(m.name, '', m.description).add(by, tags);
}

export function observeSeconds(metric: Name, seconds: number, tags: MetricTags): void {
  const m: MetricDefinition = METRICS[metric];
  Context.current().metricMeter.createHistogram(m.name, 'float', '', m.description).record(Math.max(0, seconds), tags);
}
