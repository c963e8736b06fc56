/**
 * localStorage that never throws into the page: access can throw
 * SecurityError (storage disabled, sandboxed frames) and writes throw
 * QuotaExceededError when the origin is full. Writes report success instead.
 */
export interface SafeStorage {
  get(key: string): string | null;
  /** False when the browser refused the write (quota, disabled storage). */
  set(key: string, value: string): boolean;
  remove(key: string): void;
  keys(prefix: string): string[];
}

export function createSafeStorage(): SafeStorage | undefined {
  let ls: Storage;
  try {
    ls = window.localStorage;
    const probe = "insightplus:probe";
    ls.setItem(probe, "1");
    ls.removeItem(probe);
  } catch {
    // Disabled, or already full to the last byte: not worth a queue key.
    try {
      ls = window.localStorage;
      ls.length;
    } catch {
      return undefined;
    }
  }
  return {
    get(key) {
      try {
        return ls.getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        ls.setItem(key, value);
        return true;
      } catch {
        return false;
      }
    },
    remove(key) {
      try {
        ls.removeItem(key);
      } catch {
        // nothing to do
      }
    },
    keys(prefix) {
      const out: string[] = [];
      try {
        for (let i = 0; i < ls.length; i++) {
          const k = ls.key(i);
          if (k?.startsWith(prefix)) out.push(k);
        }
      } catch {
        // nothing to list
      }
      return out;
    },
  };
}
