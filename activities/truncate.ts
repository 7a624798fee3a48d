// History is the audit log, so payloads stay small: long text keeps its head and tail with a
// marker that says how much was cut.

/** Every marker that stands where text was cut (captured, for split()). */
export const TRUNCATION_MARKER = /(\n…\[[^\]\n]{1,80}\]…\n)/;

export function truncationMarker(what: string): string {
  return `\n…[${what}]…\n`;
}

export interface Truncated {
  text: string;
  truncated: boolean;
}

export function truncateText(text: string, maxBytes: number): Truncated {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return { text, truncated: false };
  const buf = Buffer.from(text, 'utf8');
  const head = Math.floor(maxBytes / 2);
  const tail = maxBytes - head;
  const cut = bytes - head - tail;
  // toString drops a split multi-byte character at the edges instead of producing garbage.
  const marker = truncationMarker(`${cut} bytes truncated`);
  return {
    text:
      buf
        .subarray(0, head)
        .toString('utf8')
        .replace(/\uFFFD$/, '') +
      marker +
      buf
        .subarray(bytes - tail)
        .toString('utf8')
        .replace(/^\uFFFD/, ''),
    truncated: true,
  };
}

/** Caps the JSON size of a whole result by truncating its longest strings, so one noisy action cannot bloat history. */
export function limitPayload<T>(value: T, maxBytes: number): T {
  let json = JSON.stringify(value);
  if (json === undefined || Buffer.byteLength(json) <= maxBytes) return value;
  const copy = JSON.parse(json) as unknown;
  for (let round = 0; round < 20 && Buffer.byteLength(json) > maxBytes; round++) {
    const longest = findLongest(copy);
    if (!longest || longest.length < 64) break;
    longest.set(truncateText(longest.value, Math.max(64, Math.floor(longest.length / 2))).text);
    json = JSON.stringify(copy);
  }
  return copy as T;
}

function findLongest(root: unknown): { value: string; length: number; set(v: string): void } | undefined {
  let best: { value: string; length: number; set(v: string): void } | undefined;
  const visit = (holder: Record<string | number, unknown>, key: string | number) => {
    const v = holder[key];
    if (typeof v === 'string') {
      if (!best || v.length > best.length) best = { value: v, length: v.length, set: (nv) => (holder[key] = nv) };
    } else if (Array.isArray(v)) v.forEach((_, i) => visit(v as unknown as Record<number, unknown>, i));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) visit(v as Record<string, unknown>, k);
  };
  visit({ root } as Record<string, unknown>, 'root');
  return best;
}
