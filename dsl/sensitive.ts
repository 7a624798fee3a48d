// Inputs marked `sensitive` never reach the model. Prompts are checked at validate time, but a
// sensitive value can also travel inside other data (an alert field it came from, a command's
// output that echoes it), so what the model is sent is searched for the values themselves.

/** Values shorter than this are not searched for: they would match ordinary text by chance. */
const MIN_CHARS = 4;

export const sensitiveToken = (name: string): string => `⟦sensitive:${name}⟧`;

/** Every string inside `value` with each sensitive value replaced by its placeholder. */
export function maskSensitive<T>(value: T, sensitive: ReadonlyArray<[name: string, value: unknown]>): T {
  const texts = sensitive
    .flatMap(([name, v]) =>
      typeof v === 'string' || typeof v === 'number' ? [[name, String(v)] as const] : Array.isArray(v) ? v.map((item) => [name, String(item)] as const) : [],
    )
    .filter(([, text]) => text.length >= MIN_CHARS)
    .sort((a, b) => b[1].length - a[1].length);
  if (texts.length === 0) return value;
  const mask = (v: unknown): unknown => {
    if (typeof v === 'string') return texts.reduce((s, [name, text]) => s.split(text).join(sensitiveToken(name)), v);
    if (Array.isArray(v)) return v.map(mask);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, mask(inner)]));
    return v;
  };
  return mask(value) as T;
}
