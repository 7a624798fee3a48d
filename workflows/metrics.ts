// Recording the engine's metrics from workflow code. The SDK's workflow metric meter emits nothing
// while a workflow replays, so a run counted once is never counted again when a worker replays it
// (a restart, a cache eviction). Durations use workflow time, which replays identically.
import { metricMeter } from '@temporalio/workflow';
import type { MetricCounter, MetricHistogram, MetricTags } from '@temporalio/common';
import { METRICS } from '../contract/metrics';

type Name = keyof typeof METRICS;

// Instruments are made once per workflow context, not per record (the interpreter bench felt it).
const counters = new Map<Name, MetricCounter>();
const histograms = new Map<Name, MetricHistogram>();

export function count(metric: Name, tags: MetricTags, by = 1): void {
  let counter = counters.get(metric);
  if (!counter) counters.set(metric, (counter = metricMeter.createCounter(METRICS[metric].name, '', METRICS[metric].description)));
  counter.add(by, tags);
}

export function observeSeconds(metric: Name, seconds: number, tags: MetricTags): void {
  let histogram = histograms.get(metric);
  if (!histogram) histograms.set(metric, (histogram = metricMeter.createHistogram(METRICS[metric].name, 'float', '', METRICS[metric].description)));
  histogram.record(Math.max(0, seconds), tags);
}
