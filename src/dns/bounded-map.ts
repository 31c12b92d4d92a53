// The per-run caches of DNS answers and DNS-published policies, bounded: a run over a million
// domains must not keep a million answers. Least recently used out first, so the names many
// destinations share (a big provider's MX hosts) stay while one-off names go.
export const DNS_CACHE_ENTRIES = 20_000;

export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number = DNS_CACHE_ENTRIES) {
    super();
  }

  override get(key: K): V | undefined {
    const value = super.get(key);
    if (value !== undefined) {
      super.delete(key);
      super.set(key, value);
    }
    return value;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.max) super.delete(this.keys().next().value as K);
    return this;
  }
}
