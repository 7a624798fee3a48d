// Recording the engine's metrics from workflow code. The SDK's workflow metric meter emits nothing
// while a workflow replays, so a run counted once is never counted again when a worker replays it
// (a restart, a cache eviction). Durations use workflow time, which replays identically.
// Instruments are made at each record, not kept in module state: with a reused V8 context, module
// state is shared by every workflow on the worker, and an instrument belongs to the one that made it.
import { metricMeter } from '@temporalio/workflow';
import type { MetricTags } from '@temporalio/common';
import { METRICS, type MetricDefinition } from '../contract/metrics';

type Name = keyof typeof METRICS;

export function count(metric: Name, tags: MetricTags, by = 1): void {
  const m: MetricDefinition = METRICS[metric];
  metricMeter.createCounter(m.name, '', m.description).add(by, tags);
}

export function observeSeconds(metric: Name, seconds: number, tags: MetricTags): void {
  const m: MetricDefinition = METRICS[metric];
  metricMeter.createHistogram(m.name, 'float', '', m.description).record(Math.max(0, seconds), tags);
}
