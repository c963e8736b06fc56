import type { QueuedEvent } from "../core/contract-types.js";
import type { QueueStorage } from "../core/platform.js";
import type { QueueItem } from "../core/queue-item.js";
import type { CrossTabMutex } from "./cross-tab-mutex.js";
import type { SafeStorage } from "./safe-storage.js";
import { keys } from "./storage-keys.js";
import type { TabPresence } from "./tab-presence.js";

export interface QueueStoreDeps {
  store: SafeStorage;
  /** A fresh claim with a new tab id (at start and when the page comes back from the bfcache). */
  newPresence(): TabPresence;
  mutex: CrossTabMutex;
}

/**
 * Each tab persists its queue under its own key, so tabs never overwrite each
 * other and never send each other's events. Queues of tabs that are gone
 * (closed, reloaded, crashed) are adopted, one tab at a time under a
 * cross-tab lock: write them into the adopter's key first, then delete the
 * orphan's key (a crash in between can duplicate, never lose).
 */
export function createQueueStore(deps: QueueStoreDeps): QueueStorage & { readonly tabId: string } {
  const { store } = deps;
  let presence = deps.newPresence();
  let claimed = false;

  function claim(p: TabPresence): Promise<void> {
    claimed = false;
    return p.claimed.then(() => {
      if (presence === p) claimed = true;
    });
  }

  function write(tabId: string, items: readonly QueueItem[]): number {
    const key = keys.queue(tabId);
    if (!items.length) {
      store.remove(key);
      return 0;
    }
    if (store.set(key, serialize(items))) return items.length;
    // Storage is full: keep the oldest that fit (they go out first); the caller reports the rest.
    let lo = 0;
    let hi = items.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (store.set(key, serialize(items.slice(0, mid)))) lo = mid;
      else hi = mid - 1;
    }
    if (lo === 0) store.remove(key);
    return lo;
  }

  let ready = claim(presence);
  return {
    get tabId() {
      return presence.tabId;
    },
    get ready() {
      return ready;
    },
    load: () => parse(store.get(keys.queue(presence.tabId))),
    // Before the claim is held another tab could take our key for an orphan's: wait (a few ms).
    save: (items) => (claimed ? write(presence.tabId, items) : items.length),
    async adopt(accept) {
      const self = presence;
      await self.claimed;
      await deps.mutex(async () => {
        const alive = await self.alive();
        for (const key of store.keys(keys.queuePrefix)) {
          const tabId = key.slice(keys.queuePrefix.length);
          if (tabId === self.tabId || alive.has(tabId) || self !== presence) continue;
          const events = parse(store.get(key));
          const taken = events.length ? accept(events) : 0;
          if (taken >= events.length) {
            store.remove(key);
            store.remove(keys.beat(tabId));
          } else if (taken) {
            store.set(key, JSON.stringify({ v: 1, events: events.slice(taken) }));
          }
        }
      });
    },
    release() {
      claimed = false;
      presence.release();
    },
    reclaim() {
      presence = deps.newPresence();
      ready = claim(presence);
      return ready;
    },
  };
}

function serialize(items: readonly QueueItem[]): string {
  let s = '{"v":1,"events":[';
  for (let i = 0; i < items.length; i++) s += (i ? "," : "") + items[i].json;
  return `${s}]}`;
}

function parse(value: string | null): QueuedEvent[] {
  if (!value) return [];
  try {
    const events = (JSON.parse(value) as { events?: unknown }).events;
    if (!Array.isArray(events)) return [];
    return events.filter((e): e is QueuedEvent => !!e && typeof e.uuid === "string" && typeof e.event === "string" && typeof e.distinctId === "string");
  } catch {
    return [];
  }
}
