// A cache for things runbooks name that are costly to build (regular expressions, JSON Schema
// validators): few in practice, but a stream of distinct ones must not grow memory without
// bound, so a full cache starts over.
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly maxEntries: number) {}

  /** The cached value for `key`, built by `make` the first time; what `make` throws is not cached. */
  get(key: K, make: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = make();
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, value);
    }
    return value;
  }
}
