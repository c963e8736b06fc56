import type { SafeStorage } from "./safe-storage.js";
import { keys } from "./storage-keys.js";

/**
 * Which tabs are alive. With the Web Locks API each tab holds a lock named
 * after its id while it is shown; the browser drops it the moment the tab
 * closes, crashes or navigates, so liveness needs no timers (which background
 * tabs throttle to once a minute). Without Web Locks, tabs write heartbeats
 * and a tab is presumed gone after `staleMs` without one, or at once when it
 * removed its heartbeat on pagehide.
 */
export interface TabPresence {
  readonly tabId: string;
  /** Resolves once this tab's claim is held; until then it must not write its queue. */
  readonly claimed: Promise<void>;
  /** Ids of tabs alive now. */
  alive(): Promise<Set<string>>;
  release(): void;
}

export interface TabPresenceDeps {
  store: SafeStorage;
  uuid(): string;
  locks?: LockManager;
  staleMs?: number;
  beatMs?: number;
}

export function createTabPresence(deps: TabPresenceDeps): TabPresence {
  const tabId = deps.uuid();
  return deps.locks ? lockPresence(tabId, deps.locks) : heartbeatPresence(tabId, deps);
}

function lockPresence(tabId: string, locks: LockManager): TabPresence {
  let release = () => {};
  const claimed = new Promise<void>((granted) => {
    locks
      .request(keys.tabLock(tabId), () => {
        granted();
        return new Promise<void>((r) => (release = r));
      })
      .catch(() => granted());
  });
  return {
    tabId,
    claimed,
    async alive() {
      const { held = [] } = await locks.query();
      const ids = new Set<string>();
      for (const lock of held) {
        if (lock.name?.startsWith(keys.tabLockPrefix)) ids.add(lock.name.slice(keys.tabLockPrefix.length));
      }
      return ids;
    },
    release: () => release(),
  };
}

function heartbeatPresence(tabId: string, deps: TabPresenceDeps): TabPresence {
  const { store } = deps;
  const staleMs = deps.staleMs ?? 180_000;
  const beat = () => store.set(keys.beat(tabId), String(Date.now()));
  beat();
  const timer = setInterval(beat, deps.beatMs ?? 10_000);
  return {
    tabId,
    claimed: Promise.resolve(),
    async alive() {
      const ids = new Set<string>();
      for (const key of store.keys(keys.beatPrefix)) {
        const at = Number(store.get(key));
        if (Date.now() - at < staleMs) ids.add(key.slice(keys.beatPrefix.length));
        else store.remove(key);
      }
      ids.add(tabId);
      return ids;
    },
    release() {
      clearInterval(timer);
      store.remove(keys.beat(tabId));
    },
  };
}
