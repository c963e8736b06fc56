import type { Identity, IdentityStorage } from "./platform.js";

export interface IdentityState {
  distinctId(): string;
  identify(distinctId: string): void;
  /** Forgets the user and starts a new anonymous id. */
  reset(): void;
}

/** The current user. Read through storage each time so that tabs of one browser agree. */
export function createIdentity(storage: IdentityStorage | undefined, uuid: () => string): IdentityState {
  let memory: Identity | undefined;

  function current(): Identity {
    const stored = storage?.load();
    if (stored) return (memory = stored);
    if (!memory) memory = { anonymousId: uuid() };
    storage?.save(memory);
    return memory;
  }

  function set(identity: Identity): void {
    memory = identity;
    storage?.save(identity);
  }

  return {
    distinctId() {
      const id = current();
      return id.distinctId ?? id.anonymousId;
    },
    identify(distinctId) {
      set({ anonymousId: current().anonymousId, distinctId });
    },
    reset() {
      set({ anonymousId: uuid() });
    },
  };
}
