import { timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import { defaultProjectId, type KeyKind, type Project } from "../core/access/project-model.js";
import { sleep } from "../core/backoff.js";
import { UnavailableError } from "../core/errors/domain-errors.js";
import type { AccessStore } from "./access-store.js";
import { hashKey } from "./key-secrets.js";

/** A key in use, as the checks need it. */
export interface KeyEntry {
  id: string;
  projectId: string;
  kind: KeyKind;
  hash: Buffer;
}

/** A key set in the configuration (API_KEY, READ_API_KEY, ADMIN_API_KEY): known without the database. */
export interface ConfiguredKey {
  variable: string;
  key: string;
  kind: KeyKind;
}

/** A configured key's project: the default one (what the original's API_KEY guarded); admin keys have none. */
const projectOfConfigured = (c: ConfiguredKey) => (c.kind === "admin" ? "" : defaultProjectId);

export interface Keyring {
  /** The entry of a key in use; undefined for an unknown or revoked key. Throws UnavailableError when keys cannot be read. */
  lookup(key: string): KeyEntry | undefined | Promise<KeyEntry | undefined>;
  /** A project as last loaded (the default project always exists). */
  project(id: string): Project | undefined;
  projects(): readonly Project[];
  /** The configured keys, as listings show them (never the key). */
  configured(): ReadonlyArray<{ variable: string; kind: KeyKind; projectId: string; hint: string }>;
  /** Reads projects and keys again now (several callers share one read). */
  reload(): Promise<void>;
  /**
   * Rereads every `refreshMs` until closed. `readNow`: read at once (the
   * database is wanted anyway); otherwise the first unknown key reads first,
   * so a server that only ever sees configured keys never opens a database.
   */
  start(opts: { readNow: boolean }): void;
  close(): void;
}

export interface KeyringDeps {
  store: () => Promise<AccessStore>;
  configured: readonly ConfiguredKey[];
  refreshMs: number;
  retryAfterSeconds: number;
  logger: Logger;
  now?: () => number;
}

/** Where a presented key's hash is written to be compared (one per process: JavaScript runs one request at a time). */
const presented = Buffer.alloc(32);

/** Unknown keys reread the keys at most this often: a key made a moment ago by another process works at once, and random keys cannot hammer the database. */
const missReloadMs = 1000;
const longestKey = 256;

/**
 * Every key in use, in memory: capture checks a key with one SHA-256 and a map
 * lookup (bench:capture-keys). Keys are looked up by their hash, so timing
 * says nothing about a stored key, and the match is confirmed with
 * timingSafeEqual. Revocations reach this process at its next reload: at once
 * when announced (Redis pub/sub), else within `refreshMs`. Configured keys
 * work even while the database is unreachable; until the database has been
 * read once, any other key answers UnavailableError (503: try again) rather
 * than a 401 that clients would not retry.
 */
export function createKeyring(deps: KeyringDeps): Keyring {
  const now = deps.now ?? Date.now;
  const defaultProject: Project = { id: defaultProjectId, name: "Default project", origins: [], retentionDays: 0, createdAtMs: 0, settings: {} };
  const fixed = new Map(deps.configured.map((c) => [hashKey(c.key), entryOf(`env:${c.variable}`, projectOfConfigured(c), c.kind, hashKey(c.key))]));
  let byHash = new Map(fixed);
  /** Revoked keys are known too: refused at once, without a read. */
  let revoked = new Set<string>();
  let projects = new Map([[defaultProjectId, defaultProject]]);
  let loadedAt: number | undefined;
  let attemptedAt: number | undefined;
  /** When the last read that succeeded began: a key stored before then is in memory. */
  let readBeganAt = Number.NEGATIVE_INFINITY;
  /** When an unknown key last made this process read the keys. */
  let missReadAt = Number.NEGATIVE_INFINITY;
  let missRead: Promise<void> | undefined;
  let loading: Promise<void> | undefined;
  /** A read asked for while one was under way: it begins when that one ends, shared by everyone who asked meanwhile. */
  let next: Promise<void> | undefined;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;

  async function load(): Promise<void> {
    const began = now();
    const store = await deps.store();
    const [projectList, keys] = await Promise.all([store.projects(), store.keys()]);
    const inUse = new Map(fixed);
    for (const k of keys) if (k.revokedAtMs === 0 && !inUse.has(k.hash)) inUse.set(k.hash, entryOf(k.id, k.projectId, k.kind, k.hash));
    byHash = inUse;
    revoked = new Set(keys.filter((k) => k.revokedAtMs !== 0).map((k) => k.hash));
    projects = new Map([[defaultProjectId, defaultProject], ...projectList.map((p) => [p.id, p] as const)]);
    loadedAt = now();
    readBeganAt = began;
    if (failing) deps.logger.info("projects and keys readable again");
    failing = false;
  }

  function begin(): Promise<void> {
    attemptedAt = now();
    loading = load()
      .catch((e: unknown) => {
        if (!failing) deps.logger.warn({ err: (e as Error).message }, "projects and keys cannot be read; keeping the last ones read");
        failing = true;
        throw e;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }

  /**
   * A read that begins after this call: one under way may have begun before
   * the change the caller knows of (a revocation, a new key), so the caller
   * gets the one after it.
   */
  function reload(): Promise<void> {
    if (!loading) return begin();
    next ??= loading
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return begin();
      });
    return next;
  }

  /** The key's entry; null when it is known to be revoked; undefined when unknown here. */
  function find(key: string): KeyEntry | null | undefined {
    const hash = hashKey(key);
    const entry = byHash.get(hash);
    if (entry) {
      presented.write(hash, 0, "hex");
      return timingSafeEqual(entry.hash, presented) ? entry : undefined;
    }
    return revoked.has(hash) ? null : undefined;
  }

  const unavailable = () => new UnavailableError("keys cannot be checked now (the database is unavailable)", deps.retryAfterSeconds);

  /** A read for unknown keys, at most one per missReloadMs: unknown keys arriving meanwhile wait for the same read. */
  function readForMiss(): Promise<void> {
    missRead ??= (async () => {
      await sleep(Math.max(0, missReadAt + missReloadMs - now()));
      missReadAt = now();
      await reload();
    })().finally(() => {
      missRead = undefined;
    });
    return missRead;
  }

  /** An unknown key is refused only after a read that began after it arrived (a key made a moment ago is found). */
  async function afterMissRead(key: string): Promise<KeyEntry | undefined> {
    const arrived = now();
    for (;;) {
      try {
        await readForMiss();
      } catch {
        if (loadedAt === undefined) throw unavailable();
        return find(key) ?? undefined; // the database is away: what was last read decides
      }
      const found = find(key);
      if (found !== undefined || readBeganAt >= arrived) return found ?? undefined;
    }
  }

  return {
    lookup(key) {
      if (key.length > longestKey) return undefined;
      const found = find(key);
      return found === null ? undefined : (found ?? afterMissRead(key));
    },
    project: (id) => projects.get(id),
    projects: () => [...projects.values()],
    configured: () => deps.configured.map((c) => ({ variable: c.variable, kind: c.kind, projectId: projectOfConfigured(c), hint: `${c.key.slice(0, 4)}…` })),
    reload,
    start({ readNow }) {
      if (readNow) begin().catch(() => undefined);
      // The periodic read joins one under way rather than queueing another.
      timer = setInterval(() => {
        if ((readNow || attemptedAt !== undefined) && !loading) begin().catch(() => undefined);
      }, deps.refreshMs);
      timer.unref();
    },
    close() {
      clearInterval(timer);
    },
  };
}

function entryOf(id: string, projectId: string, kind: KeyKind, hash: string): KeyEntry {
  return { id, projectId, kind, hash: Buffer.from(hash, "hex") };
}
