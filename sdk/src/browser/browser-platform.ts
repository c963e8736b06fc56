import type { Platform } from "../core/platform.js";
import { uuidv7 } from "../core/uuid-v7.js";
import { createBrowserTransport } from "./beacon-transport.js";
import { createCrossTabMutex } from "./cross-tab-mutex.js";
import { createIdentityStore } from "./identity-store.js";
import { browserLifecycle, browserNetwork } from "./page-events.js";
import { createQueueStore } from "./queue-store.js";
import { createSafeStorage } from "./safe-storage.js";
import { createTabPresence } from "./tab-presence.js";

export function createBrowserPlatform(host: string, apiKey: string | undefined, persist: boolean): Platform {
  const now = () => Date.now();
  const uuid = () => uuidv7(now());
  const store = persist ? createSafeStorage() : undefined;
  // Web Locks exist only in secure contexts (https, localhost).
  const locks: LockManager | undefined = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return {
    transport: createBrowserTransport(host, apiKey, now),
    timers: {
      set(fn, ms) {
        const id = setTimeout(fn, ms);
        return () => clearTimeout(id);
      },
    },
    now,
    uuid,
    storage:
      store &&
      createQueueStore({
        store,
        newPresence: () => createTabPresence({ store, uuid, locks }),
        mutex: createCrossTabMutex({ store, owner: uuid(), locks }),
      }),
    identity: store && createIdentityStore(store),
    network: browserNetwork,
    lifecycle: browserLifecycle,
    // What the server's enrichment needs (campaign from the URL, referring domain); it parses them, not us.
    pageProperties: () => ({ $current_url: location.href, $referrer: document.referrer || "$direct" }),
  };
}
