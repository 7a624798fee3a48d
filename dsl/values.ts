// Small helpers for plain JSON values as runbooks hold them.

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The own member `key` of an object or array; undefined for anything else (inherited members included). */
export function memberOf(value: unknown, key: string | number): unknown {
  return (isRecord(value) || Array.isArray(value)) && Object.hasOwn(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
}

/** The value at `path` inside `root`; undefined where the path leads nowhere. */
export function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  return path.reduce<unknown>(memberOf, root);
}

/** Calls `visit` with every string inside `value`, and its path. */
export function visitStrings(value: unknown, path: ReadonlyArray<string | number>, visit: (text: string, path: Array<string | number>) => void): void {
  if (typeof value === 'string') visit(value, [...path]);
  else if (Array.isArray(value)) value.forEach((v, i) => visitStrings(v, [...path, i], visit));
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) visitStrings(v, [...path, k], visit);
}
