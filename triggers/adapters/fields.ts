// Reading untrusted JSON field by field. Every refusal names the field's path (e.g.
// `alerts[1].labels.service must be a string`) so a sender can fix its payload from the reason alone.
// Only own properties are read, and records are rebuilt with Object.fromEntries, so keys such as
// `__proto__` or `constructor` are plain data and never reach a prototype.

const MAX_ALERTS_PER_DELIVERY = 1000;

/** Alertmanager's and Go's zero time: "no end known yet", not a real timestamp. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Thrown while reading; the adapter boundary turns it into a `ParseResult`. */
export class PayloadError extends Error {
  constructor(
    readonly status: 400 | 422,
    message: string,
  ) {
    super(message);
  }
}

type JsonObject = Readonly<Record<string, unknown>>;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childPath(path: string, key: string): string {
  const segment = IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return path === '' && segment.startsWith('.') ? key : `${path}${segment}`;
}

/** A JSON object together with its path in the payload. */
export class ObjectReader {
  private constructor(
    private readonly value: JsonObject,
    private readonly path: string,
  ) {}

  /** The request body; anything but an object is a 400 (not even the right kind of document). */
  static body(value: unknown): ObjectReader {
    if (!isJsonObject(value)) throw new PayloadError(400, 'body must be a JSON object');
    return new ObjectReader(value, '');
  }

  private static at(value: unknown, path: string): ObjectReader {
    if (!isJsonObject(value)) fail(path, 'must be an object');
    return new ObjectReader(value, path);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.value, key) && this.value[key] !== undefined;
  }

  pathOf(key: string): string {
    return childPath(this.path, key);
  }

  private get(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  /** Refuses fields outside `known`: for formats we define, a typo must not pass silently. */
  onlyKnownFields(known: readonly string[]): void {
    const unknown = Object.keys(this.value).find((key) => !known.includes(key));
    if (unknown !== undefined) fail(this.pathOf(unknown), `is not a known field (known: ${known.join(', ')})`);
  }

  /** A required, non-empty string. */
  string(key: string): string {
    const value = this.get(key);
    if (value === undefined || value === null) fail(this.pathOf(key), 'is required');
    if (typeof value !== 'string') fail(this.pathOf(key), 'must be a string');
    if (value === '') fail(this.pathOf(key), 'must not be empty');
    return value;
  }

  /** Absent, null and "" all mean "not given": senders use all three for an empty optional field. */
  optionalString(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') fail(this.pathOf(key), 'must be a string');
    return value;
  }

  optionalInteger(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (!Number.isSafeInteger(value)) fail(this.pathOf(key), 'must be an integer');
    return value as number;
  }

  /** One of `allowed`; absent means `fallback`, or is refused when there is none. */
  oneOf<const T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
    const value = this.get(key);
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (!allowed.includes(value as T)) fail(this.pathOf(key), `must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`);
    return value as T;
  }

  /** An RFC 3339 timestamp of a real date, kept as sent; Go's zero time counts as absent. */
  optionalTimestamp(key: string): string | undefined {
    const value = this.optionalString(key);
    if (value === undefined || value === GO_ZERO_TIME) return undefined;
    if (!RFC3339.test(value)) fail(this.pathOf(key), 'must be an RFC 3339 timestamp');
    // The pattern lets month 13 or hour 99 through; ids are built from this time.
    if (!Number.isFinite(Date.parse(value))) fail(this.pathOf(key), 'is not a real date and time');
    return value;
  }

  object(key: string): ObjectReader {
    if (!this.has(key)) fail(this.pathOf(key), 'is required');
    return ObjectReader.at(this.get(key), this.pathOf(key));
  }

  optionalObject(key: string): ObjectReader | undefined {
    const value = this.get(key);
    return value === undefined || value === null ? undefined : ObjectReader.at(value, this.pathOf(key));
  }

  /**
   * A string-to-string map (labels, annotations), rebuilt as a fresh object. Values that are not
   * strings are refused, not coerced: a number where a label belongs is a sender bug to surface.
   */
  stringRecord(key: string): Record<string, string> {
    const record = this.object(key);
    return Object.fromEntries(
      Object.entries(record.value).map(([name, value]) => {
        if (typeof value !== 'string') fail(record.pathOf(name), 'must be a string');
        return [name, value];
      }),
    );
  }

  /** Like `stringRecord`, with absent or null meaning empty. */
  optionalStringRecord(key: string): Record<string, string> {
    const value = this.get(key);
    return value === undefined || value === null ? {} : this.stringRecord(key);
  }

  /** The alert objects of a delivery, at most MAX_ALERTS_PER_DELIVERY of them. */
  alertList(key: string): ObjectReader[] {
    const list = this.get(key);
    if (list === undefined) fail(this.pathOf(key), 'is required');
    if (!Array.isArray(list)) fail(this.pathOf(key), 'must be an array');
    if (list.length > MAX_ALERTS_PER_DELIVERY) {
      fail(this.pathOf(key), `has ${list.length} entries; at most ${MAX_ALERTS_PER_DELIVERY} alerts per delivery`);
    }
    return list.map((entry, index) => ObjectReader.at(entry, `${this.pathOf(key)}[${index}]`));
  }
}

/** Refuses the delivery with 422: well-formed JSON, wrong content. */
export function fail(path: string, problem: string): never {
  throw new PayloadError(422, `${path} ${problem}`);
}

/** The value of an own property, so `record.constructor` is never Object's. */
export function own(record: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
