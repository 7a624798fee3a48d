// The receiver benchmarks' load: a runbook an Alertmanager alert starts (one no-op step), and a
// burst of alerts for it, 20% of them repeats of earlier ones, shuffled deterministically.
import type { Alert } from '../../dsl/alert';
import { compileRunbook } from '../../dsl/compile';
import type { CompiledRunbook } from '../../dsl/compiled';
import { noop } from './noop-action';

export const REPEATS = 0.2;

export function alertRunbook(name: string): CompiledRunbook {
  const text = `name: ${name}\ntriggers:\n  - source: alertmanager\n    match: { alertname: ${name} }\ninputs:\n  service: { type: string, pattern: '^[a-z0-9-]+$', from: alert.labels.service }\nsteps:\n  - id: a\n    uses: bench.noop\n    with: { n: 1 }\n`;
  return compileRunbook(text, `${name}.yaml`, { catalog: new Map([[noop.name, noop]]), resolve: () => undefined }).runbook!;
}

/** `total` alerts for runbook `name`: 80% distinct, 20% repeats of earlier ones. */
export function burst(name: string, total: number): Alert[] {
  const distinct = Math.round(total * (1 - REPEATS));
  const base = Array.from({ length: distinct }, (_, i): Alert => ({
    source: 'alertmanager',
    status: 'firing',
    fingerprint: `${name}-${i.toString(16).padStart(8, '0')}`,
    name,
    labels: { alertname: name, service: `svc-${i}` },
    annotations: {},
    startsAt: '2026-11-29T12:00:00Z',
  }));
  const all = [...base, ...Array.from({ length: total - distinct }, (_, i) => base[(i * 7919) % distinct]!)];
  for (let i = all.length - 1, seed = 42; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}
