import type { Identity, IdentityStorage } from "../core/platform.js";
import type { SafeStorage } from "./safe-storage.js";
import { keys } from "./storage-keys.js";

/** The anonymous id and identified user, shared by the tabs of a browser until identify/reset. */
export function createIdentityStore(store: SafeStorage): IdentityStorage {
  return {
    load() {
      try {
        const id = JSON.parse(store.get(keys.identity) ?? "null") as Identity | null;
        return id && typeof id.anonymousId === "string" ? id : undefined;
      } catch {
        return undefined;
      }
    },
    save(identity) {
      store.set(keys.identity, JSON.stringify(identity));
    },
  };
}
