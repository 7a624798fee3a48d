// The soak's schedule, from its seed alone: when each alert delivery is sent (firing alerts from
// all four sources, repeats, HA duplicates, resolves early and late) and when each fault is
// injected. Nothing here reads the clock or the environment, so a seed is a reproducible soak.
import { Random } from './random';

export type Source = 'alertmanager' | 'grafana' | 'pagerduty' | 'webhook';
export type FaultKind = 'kill-worker' | 'restart-receiver' | 'restart-temporal' | 'pause-model';

/** One alert occurrence: what the remediation runbook reads from it comes from here. */
export interface Occurrence {
  id: string;
  source: Source;
  /** The runbook it starts: remediate (alertmanager, grafana) or page (pagerduty, webhook). */
  runbook: 'soak-remediate' | 'soak-page';
  service: string;
  /** How long its evidence step sleeps, and whether that step fails (then the run escalates). */
  evidenceMs: number;
  evidenceFails: boolean;
  /** What the scripted approver does with its approval: approve, reject, or leave it to time out. */
  approval: 'approve' | 'reject' | 'timeout';
  startsAt: string;
}

export interface Delivery {
  atMs: number;
  occurrence: Occurrence;
  kind: 'firing' | 'repeat' | 'ha-duplicate' | 'resolved';
}

export interface Fault {
  atMs: number;
  kind: FaultKind;
  /** How long the fault lasts (the model's pause). */
  forMs: number;
}

export interface Rates {
  /** New alert occurrences per minute. */
  alertsPerMinute: number;
  /** Faults per minute, of each kind. */
  faultsPerMinute: Record<FaultKind, number>;
}

export const DEFAULT_RATES: Rates = {
  alertsPerMinute: 20,
  faultsPerMinute: { 'kill-worker': 0.5, 'restart-receiver': 0.3, 'restart-temporal': 0.2, 'pause-model': 0.3 },
};

const SOURCES: readonly Source[] = ['alertmanager', 'grafana', 'pagerduty', 'webhook'];
const EPOCH = Date.parse('2026-11-30T00:00:00Z');

export interface Plan {
  seed: number;
  durationMs: number;
  deliveries: Delivery[];
  faults: Fault[];
  occurrences: Occurrence[];
}

export function makePlan(seed: number, minutes: number, rates: Rates = DEFAULT_RATES): Plan {
  const random = new Random(seed);
  const durationMs = Math.round(minutes * 60_000);
  const deliveries: Delivery[] = [];
  const occurrences: Occurrence[] = [];
  const count = Math.max(1, Math.round(minutes * rates.alertsPerMinute));
  for (let i = 0; i < count; i++) {
    const atMs = Math.floor(random.next() * durationMs * 0.9);
    const source = random.pick(SOURCES);
    const o: Occurrence = {
      id: `s${seed}-a${i}`,
      source,
      runbook: source === 'alertmanager' || source === 'grafana' ? 'soak-remediate' : 'soak-page',
      service: `svc-${random.int(0, 9)}`,
      evidenceMs: random.int(0, 3_000),
      evidenceFails: random.chance(0.1),
      approval: random.chance(0.7) ? 'approve' : random.chance(0.5) ? 'reject' : 'timeout',
      startsAt: new Date(EPOCH + seed * 1_000 + i * 1_000).toISOString(),
    };
    occurrences.push(o);
    deliveries.push({ atMs, occurrence: o, kind: 'firing' });
    // Alertmanager in HA sends each notification twice; every source repeats now and then.
    if (source === 'alertmanager' && random.chance(0.5)) deliveries.push({ atMs: atMs + random.int(0, 50), occurrence: o, kind: 'ha-duplicate' });
    if (random.chance(0.3)) deliveries.push({ atMs: atMs + random.int(1_000, 30_000), occurrence: o, kind: 'repeat' });
    // Resolves for the two sources that send them: early (while the run works) or late (after it ended).
    if ((source === 'alertmanager' || source === 'grafana') && random.chance(0.25))
      deliveries.push({ atMs: atMs + (random.chance(0.5) ? random.int(500, 3_000) : random.int(60_000, 120_000)), occurrence: o, kind: 'resolved' });
  }
  const faults: Fault[] = [];
  for (const [kind, perMinute] of Object.entries(rates.faultsPerMinute) as Array<[FaultKind, number]>) {
    const n = Math.round(minutes * perMinute);
    for (let i = 0; i < n; i++)
      // Not in the first 20 s (warm-up) nor the last tenth (the stream's end).
      faults.push({
        atMs: 20_000 + Math.floor(random.next() * Math.max(0, durationMs * 0.9 - 20_000)),
        kind,
        forMs: kind === 'pause-model' ? random.int(5_000, 20_000) : 0,
      });
  }
  deliveries.sort((a, b) => a.atMs - b.atMs);
  faults.sort((a, b) => a.atMs - b.atMs);
  return { seed, durationMs, deliveries, faults, occurrences };
}
