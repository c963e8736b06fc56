/** A map that keeps at most `maxSize` entries, forgetting the least recently used first. */
export interface LruCache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  readonly size: number;
}

// Hand-written rather than a dependency: a Map iterates in insertion order, so
// moving a key to the end on each hit and evicting the first key is the whole
// algorithm, and this hot path should not carry a package's TTLs and events.
export function createLruCache<K, V>(maxSize: number): LruCache<K, V> {
  const map = new Map<K, V>();
  return {
    get(key) {
      const value = map.get(key);
      if (value !== undefined) {
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    set(key, value) {
      map.delete(key);
      map.set(key, value);
      while (map.size > maxSize) map.delete(map.keys().next().value as K);
    },
    get size() {
      return map.size;
    },
  };
}
