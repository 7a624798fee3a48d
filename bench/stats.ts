// Small helpers for benchmarks that compare against a baseline measured in the same run.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs each candidate in turn, `rounds` times, so drift and noise hit both alike; returns ms per call per round. */
export function interleaved(candidates: Record<string, () => void>, rounds: number, callsPerRound: number): Record<string, number[]> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(candidates)) {
      const started = performance.now();
      for (let i = 0; i < callsPerRound; i++) fn();
      samples[name]!.push((performance.now() - started) / callsPerRound);
    }
  }
  return samples;
}

export function fmt(n: number, digits = 3): string {
  return n.toFixed(digits);
}
