import type { SafeStorage } from "./safe-storage.js";
import { keys } from "./storage-keys.js";

/** Runs fn while no other tab of this origin runs it. Undefined when the lock was not obtained. */
export type CrossTabMutex = <T>(fn: () => Promise<T> | T) => Promise<T | undefined>;

export function createCrossTabMutex(deps: { store: SafeStorage; owner: string; locks?: LockManager }): CrossTabMutex {
  if (deps.locks) {
    const locks = deps.locks;
    // ifAvailable: while another tab adopts, skip this round instead of queueing behind it.
    return async <T>(fn: () => Promise<T> | T) => {
      let result: T | undefined;
      await locks.request(keys.adoptLock, { ifAvailable: true }, async (lock) => {
        if (lock) result = await fn();
      });
      return result;
    };
  }
  return leaseMutex(deps.store, deps.owner);
}

/**
 * Fallback for browsers without Web Locks: a lease in localStorage. Write our
 * claim, wait, read it back; a tab that wrote in the meantime wins instead.
 * Not linearizable, which is why adoption also skips events it already holds.
 */
function leaseMutex(store: SafeStorage, owner: string): CrossTabMutex {
  const leaseMs = 5_000;
  const settleMs = 60;
  const read = () => {
    const [who, until] = (store.get(keys.lease) ?? "").split("|");
    return { who, until: Number(until) || 0 };
  };
  return async (fn) => {
    const current = read();
    if (current.who && current.who !== owner && current.until > Date.now()) return undefined;
    if (!store.set(keys.lease, `${owner}|${Date.now() + leaseMs}`)) return undefined;
    await new Promise((r) => setTimeout(r, settleMs));
    if (read().who !== owner) return undefined;
    try {
      return await fn();
    } finally {
      if (read().who === owner) store.remove(keys.lease);
    }
  };
}
