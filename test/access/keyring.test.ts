import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AccessStore, StoredKey } from "../../access/access-store.js";
import { generateKey } from "../../access/key-secrets.js";
import { createKeyring } from "../../access/keyring.js";
import { UnavailableError } from "../../core/errors/domain-errors.js";

// The keyring's own decisions, over an in-memory store that can be made to fail
// (the stores themselves are tested against the real databases).
function memoryStore() {
  const keys: StoredKey[] = [];
  let reads = 0;
  let down = false;
  const store: AccessStore = {
    projects: async () => [],
    createProject: async () => true,
    saveProject: async () => undefined,
    async keys() {
      reads++;
      if (down) throw new Error("connect ECONNREFUSED");
      return keys.map((k) => ({ ...k }));
    },
    addKey: async (k) => void keys.push(k),
    revokeKey: async () => true,
  };
  const add = (kind: "write" | "read", revokedAtMs = 0) => {
    const made = generateKey(kind);
    keys.push({ id: made.id, projectId: "p", kind, hash: made.hash, hint: made.hint, publicKey: "", label: "", createdAtMs: 1, revokedAtMs });
    return made.secret;
  };
  return { store, add, reads: () => reads, setDown: (d: boolean) => void (down = d) };
}

const keyringOver = (m: ReturnType<typeof memoryStore>) =>
  createKeyring({
    store: async () => m.store,
    configured: [{ variable: "API_KEY", key: "configured-write-key", kind: "write" }],
    refreshMs: 60_000,
    retryAfterSeconds: 2,
    logger: pino({ level: "silent" }),
  });

describe("the keyring", () => {
  it("answers configured keys without the database, and other keys with 503 until the database was read once", async () => {
    const m = memoryStore();
    m.setDown(true);
    const ring = keyringOver(m);
    expect(await ring.lookup("configured-write-key")).toMatchObject({ kind: "write", projectId: "default", id: "env:API_KEY" });
    await expect(Promise.resolve().then(() => ring.lookup("ipw_anything"))).rejects.toBeInstanceOf(UnavailableError);
    m.setDown(false);
    const key = m.add("write");
    expect(await ring.lookup(key)).toMatchObject({ kind: "write", projectId: "p" });
  });

  it("finds a key stored after its last read, refuses a revoked one without reading, and an unknown one after one read", async () => {
    const m = memoryStore();
    const ring = keyringOver(m);
    await ring.reload();
    const revoked = m.add("read", 5);
    await ring.reload();
    const later = m.add("write"); // made by another process after this one read the keys
    expect(await ring.lookup(later)).toMatchObject({ kind: "write" });
    const reads = m.reads();
    expect(await ring.lookup(revoked)).toBeUndefined();
    expect(m.reads()).toBe(reads);
    // Unknown keys arriving together share one read.
    expect(await Promise.all([ring.lookup("ipw_unknown-1"), ring.lookup("ipw_unknown-2"), ring.lookup("ipw_unknown-3")])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(m.reads()).toBe(reads + 1);
  });

  it("keeps the keys it read while the database is away", async () => {
    const m = memoryStore();
    const key = m.add("read");
    const ring = keyringOver(m);
    await ring.reload();
    m.setDown(true);
    await expect(ring.reload()).rejects.toThrow();
    expect(await ring.lookup(key)).toMatchObject({ kind: "read" });
    expect(await ring.lookup("ipr_unknown")).toBeUndefined();
  });
});
