import type { KeyChangeChannel } from "../core/access/key-change-channel.js";
import { defaultProjectId, type EnrichmentChoices, type KeyKind, type Project, type ProjectSettings } from "../core/access/project-model.js";
import { AlreadyExistsError, InvalidInputError, NotFoundError } from "../core/errors/domain-errors.js";
import type { AccessStore, EventEraser, StoredKey } from "./access-store.js";
import { generateKey } from "./key-secrets.js";
import type { Keyring } from "./keyring.js";
import * as input from "./project-input.js";

/** A key as listings show it: never a secret (write keys, being public, show whole). */
export interface KeyInfo {
  id: string;
  projectId: string;
  kind: KeyKind;
  hint: string;
  key: string;
  label: string;
  createdAtMs: number;
  revokedAtMs: number;
  fromEnvironment: boolean;
}

export interface NewProject {
  project: Project;
  writeKey: string;
  readKey: string;
}

export interface AdminDeps {
  /** The database's stores, opened when first needed. */
  storage: () => Promise<{ access: AccessStore; eraser: EventEraser }>;
  keyring: Keyring;
  changes: KeyChangeChannel;
  now?: () => number;
}

const kinds: readonly KeyKind[] = ["write", "read", "admin"];

/** What creating or changing a project may set; undefined leaves a field as it is, allowedEvents null removes the list. */
export interface ProjectFields {
  origins?: readonly string[];
  retentionDays?: number;
  allowedEvents?: readonly string[] | null;
  enrichment?: Record<string, unknown>;
}

function settingsOf(current: ProjectSettings, q: ProjectFields): ProjectSettings {
  const next: ProjectSettings = { ...current };
  if (q.allowedEvents === null) delete next.allowedEvents;
  else if (q.allowedEvents !== undefined) next.allowedEvents = input.allowedEvents(q.allowedEvents);
  if (q.enrichment !== undefined) next.enrichment = { ...current.enrichment, ...input.enrichment(q.enrichment) } satisfies EnrichmentChoices;
  return next;
}

/**
 * Projects and keys: what `npm run keys` and the AdminService RPCs do. Every
 * change is announced, so every server process reloads its keys at once.
 */
export function createAdminService(deps: AdminDeps) {
  const now = deps.now ?? Date.now;
  const store = async () => (await deps.storage()).access;

  /** Tells every server; a failed reread here is retried by the periodic one (the change itself is stored). */
  async function changed(): Promise<void> {
    await deps.changes.announce();
    await deps.keyring.reload().catch(() => undefined);
  }

  async function existingProject(id: string, field = "projectId"): Promise<Project> {
    const found = (await (await store()).projects()).find((p) => p.id === id);
    if (!found) throw new NotFoundError(field, `names no project (${id})`);
    return found;
  }

  async function existingKey(id: string): Promise<StoredKey> {
    const found = (await (await store()).keys()).find((k) => k.id === id);
    if (!found) throw new NotFoundError("keyId", "names no stored key");
    return found;
  }

  async function addKey(projectId: string, kind: KeyKind, label: string) {
    const made = generateKey(kind);
    const key: StoredKey = {
      id: made.id,
      projectId: kind === "admin" ? "" : projectId,
      kind,
      hash: made.hash,
      hint: made.hint,
      publicKey: kind === "write" ? made.secret : "",
      label,
      createdAtMs: now(),
      revokedAtMs: 0,
    };
    await (await store()).addKey(key);
    return { key: infoOf(key), secret: made.secret };
  }

  return {
    async listProjects(): Promise<Array<{ project: Project; keys: KeyInfo[] }>> {
      const [projects, keys] = await Promise.all([store().then((s) => s.projects()), store().then((s) => s.keys())]);
      const configured: KeyInfo[] = deps.keyring.configured().map((c) => ({
        id: `env:${c.variable}`,
        projectId: c.projectId,
        kind: c.kind,
        hint: c.hint,
        key: "",
        label: c.variable,
        createdAtMs: 0,
        revokedAtMs: 0,
        fromEnvironment: true,
      }));
      const all = [...configured, ...keys.map(infoOf)];
      const listed = [...projects].sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
      const admin = all.filter((k) => k.kind === "admin");
      return [
        ...listed.map((project) => ({ project, keys: all.filter((k) => k.projectId === project.id) })),
        ...(admin.length > 0 ? [{ project: { id: "", name: "(admin keys)", origins: [], retentionDays: 0, createdAtMs: 0, settings: {} }, keys: admin }] : []),
      ];
    },

    async createProject(q: ProjectFields & { id?: string; name: string }): Promise<NewProject> {
      const name = input.projectName(q.name);
      const id = q.id ? input.projectId(q.id, "id") : input.slugOf(name);
      const project: Project = {
        id,
        name,
        origins: input.origins(q.origins ?? []),
        retentionDays: input.retentionDays(q.retentionDays ?? 0),
        createdAtMs: now(),
        settings: settingsOf({}, q),
      };
      if (!(await (await store()).createProject(project))) throw new AlreadyExistsError("id", `${id} is taken by another project`);
      const write = await addKey(id, "write", "");
      const read = await addKey(id, "read", "");
      await changed();
      return { project, writeKey: write.secret, readKey: read.secret };
    },

    async updateProject(id: string, q: ProjectFields & { name?: string }): Promise<Project> {
      const project = await existingProject(input.projectId(id));
      const updated: Project = {
        ...project,
        name: q.name === undefined ? project.name : input.projectName(q.name),
        origins: q.origins === undefined ? project.origins : input.origins(q.origins),
        retentionDays: q.retentionDays === undefined ? project.retentionDays : input.retentionDays(q.retentionDays),
        settings: settingsOf(project.settings, q),
      };
      await (await store()).saveProject(updated);
      await changed();
      return updated;
    },

    async createKey(projectId: string, kind: string, label = "") {
      if (!kinds.includes(kind as KeyKind)) throw new InvalidInputError("kind", "must be write, read or admin");
      if (kind !== "admin") await existingProject(input.projectId(projectId));
      if (label.length > 200) throw new InvalidInputError("label", "is longer than 200 characters");
      const made = await addKey(projectId, kind as KeyKind, label);
      await changed();
      return made;
    },

    async revokeKey(id: string): Promise<KeyInfo> {
      if (id.startsWith("env:")) throw new InvalidInputError("keyId", "names a key set in the configuration: remove it there");
      const key = await existingKey(id);
      if (key.revokedAtMs === 0) {
        key.revokedAtMs = now();
        await (await store()).revokeKey(id, key.revokedAtMs);
        await changed();
      }
      return infoOf(key);
    },

    /** A new key of the same project and kind; the old one is revoked at once. */
    async rotateKey(id: string) {
      if (id.startsWith("env:")) throw new InvalidInputError("keyId", "names a key set in the configuration: change it there");
      const old = await existingKey(id);
      if (old.revokedAtMs !== 0) throw new InvalidInputError("keyId", "names a revoked key");
      const made = await addKey(old.projectId, old.kind, old.label);
      old.revokedAtMs = now();
      await (await store()).revokeKey(id, old.revokedAtMs);
      await changed();
      return { ...made, revoked: infoOf(old) };
    },

    async eraseUser(projectId: string, distinctId: string): Promise<number> {
      await existingProject(input.projectId(projectId));
      if (distinctId === "") throw new InvalidInputError("distinctId", "is required");
      return (await deps.storage()).eraser.eraseUser(projectId, distinctId);
    },

    /**
     * First start: the default project gets a write and a read key unless it has
     * one in use (stored or configured). Returns the keys it made, to show once.
     */
    async ensureDefaultKeys(): Promise<{ writeKey?: string; readKey?: string }> {
      const keys = await (await store()).keys();
      const has = (kind: KeyKind) =>
        keys.some((k) => k.projectId === defaultProjectId && k.kind === kind && k.revokedAtMs === 0) ||
        deps.keyring.configured().some((c) => c.projectId === defaultProjectId && c.kind === kind);
      const made: { writeKey?: string; readKey?: string } = {};
      if (!has("write")) made.writeKey = (await addKey(defaultProjectId, "write", "first start")).secret;
      if (!has("read")) made.readKey = (await addKey(defaultProjectId, "read", "first start")).secret;
      if (made.writeKey || made.readKey) await changed();
      return made;
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;

function infoOf(k: StoredKey): KeyInfo {
  return {
    id: k.id,
    projectId: k.projectId,
    kind: k.kind,
    hint: k.hint,
    key: k.publicKey,
    label: k.label,
    createdAtMs: k.createdAtMs,
    revokedAtMs: k.revokedAtMs,
    fromEnvironment: false,
  };
}
