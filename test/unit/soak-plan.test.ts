// A soak is reproducible from its seed: the same seed gives the same alerts and faults, at the
// same times; another seed gives another soak. Every source and every fault kind is in a plan.
import { makePlan } from '../../soak/plan';

it('gives the same schedule for the same seed, and another for another seed', () => {
  const a = makePlan(7, 3);
  expect(makePlan(7, 3)).toEqual(a);
  expect(makePlan(8, 3).deliveries.map((d) => d.atMs)).not.toEqual(a.deliveries.map((d) => d.atMs));
});

it('sends from all four sources, with repeats, HA duplicates and resolves, and injects every kind of fault', () => {
  const plan = makePlan(7, 3);
  expect(new Set(plan.occurrences.map((o) => o.source))).toEqual(new Set(['alertmanager', 'grafana', 'pagerduty', 'webhook']));
  expect(new Set(plan.deliveries.map((d) => d.kind))).toEqual(new Set(['firing', 'repeat', 'ha-duplicate', 'resolved']));
  expect(new Set(plan.faults.map((f) => f.kind))).toEqual(new Set(['kill-worker', 'restart-receiver', 'restart-temporal', 'pause-model']));
  expect(new Set(plan.occurrences.map((o) => o.approval))).toEqual(new Set(['approve', 'reject', 'timeout']));
  // Faults wait for the warm-up and stop before the stream ends.
  expect(Math.min(...plan.faults.map((f) => f.atMs))).toBeGreaterThanOrEqual(20_000);
  expect(Math.max(...plan.faults.map((f) => f.atMs))).toBeLessThan(plan.durationMs);
});
