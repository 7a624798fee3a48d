// Memory of the worker and the receiver over the soak: resident set size from /proc every few
// seconds (whichever process holds the name now: a killed worker's successor continues its
// line), and the curve as a small SVG chart.
import { readFileSync } from 'node:fs';

export interface Sample {
  t: number;
  name: string;
  /** The process: a restarted worker is a new one. */
  pid: number;
  rssMb: number;
}

export function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined; // gone meanwhile
  }
}

export function sampleMemory(
  names: string[],
  pid: (name: string) => number | undefined,
  startedAt: number,
  everyMs = 5_000,
): { samples: Sample[]; stop(): void } {
  const samples: Sample[] = [];
  const take = () => {
    for (const name of names) {
      const id = pid(name);
      const mb = rssMb(id);
      if (id !== undefined && mb !== undefined) samples.push({ t: Date.now() - startedAt, name, pid: id, rssMb: mb });
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

/** A line chart of each name's RSS over time, with the faults as ticks on the time axis. */
export function memoryChart(samples: Sample[], faults: Array<{ t: number; kind: string }>, title: string): string {
  const width = 640;
  const height = 240;
  const pad = { left: 48, right: 110, top: 28, bottom: 30 };
  const maxT = Math.max(1, ...samples.map((s) => s.t));
  const maxMb = Math.max(1, ...samples.map((s) => s.rssMb)) * 1.1;
  const x = (t: number) => pad.left + (t / maxT) * (width - pad.left - pad.right);
  const y = (mb: number) => height - pad.bottom - (mb / maxMb) * (height - pad.top - pad.bottom);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const names = [...new Set(samples.map((s) => s.name))];
  const lines = names.map((name, i) => {
    const points = samples
      .filter((s) => s.name === name)
      .map((s) => `${x(s.t).toFixed(1)},${y(s.rssMb).toFixed(1)}`)
      .join(' ');
    return `<polyline fill="none" stroke="${colors[i % colors.length]}" stroke-width="1.5" points="${points}"/><text x="${width - pad.right + 8}" y="${pad.top + 16 * i + 10}" fill="${colors[i % colors.length]}" font-size="12">${name}</text>`;
  });
  const ticks = faults.map(
    (f) =>
      `<line x1="${x(f.t).toFixed(1)}" x2="${x(f.t).toFixed(1)}" y1="${height - pad.bottom}" y2="${height - pad.bottom + 6}" stroke="#888"><title>${f.kind}</title></line>`,
  );
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const mb = maxMb * f;
    return `<text x="${pad.left - 6}" y="${y(mb) + 4}" font-size="10" text-anchor="end">${mb.toFixed(0)}</text><line x1="${pad.left}" x2="${width - pad.right}" y1="${y(mb)}" y2="${y(mb)}" stroke="#eee"/>`;
  });
  const stepMin = maxT > 20 * 60_000 ? 5 : 1;
  const xTicks = Array.from({ length: Math.floor(maxT / (stepMin * 60_000)) + 1 }, (_, i) => i * stepMin).map(
    (min) => `<text x="${x(min * 60_000).toFixed(1)}" y="${height - pad.bottom + 16}" font-size="10" text-anchor="middle">${min}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad.left}" y="16" font-size="13">${title}</text>
${yTicks.join('\n')}
<text x="12" y="${pad.top + 60}" font-size="10" transform="rotate(-90 12 ${pad.top + 60})">RSS (MiB)</text>
<text x="${width - pad.right + 8}" y="${height - pad.bottom + 16}" font-size="10">min (ticks: faults)</text>
${xTicks.join('\n')}
${lines.join('\n')}
${ticks.join('\n')}
</svg>
`;
}
