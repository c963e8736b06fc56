import type { ClickHouseClient } from "@clickhouse/client";
import type { AccessStore, StoredKey } from "../../access/access-store.js";
import type { KeyKind, Project, ProjectSettings } from "../../core/access/project-model.js";
import { chString } from "./clickhouse-literal.js";

interface ProjectRow {
  id: string;
  name: string;
  origins: string[];
  retention_days: number;
  created_at_ms: string | number;
  version: string | number;
  settings: string;
}

interface KeyRow {
  id: string;
  project_id: string;
  kind: string;
  hash: string;
  hint: string;
  public_key: string;
  label: string;
  created_at_ms: string | number;
  revoked_at_ms: string | number;
  version: string | number;
}

/**
 * Projects and keys in ClickHouse: ReplacingMergeTree tables read with FINAL,
 * so a change is a new row with a higher version (18.16 has no UPDATE).
 * Values go in as JSONEachRow rows (serialized by the client), never as SQL text.
 */
export function createClickHouseAccessStore(client: ClickHouseClient): AccessStore {
  const rows = async <T>(query: string) => (await client.query({ query, format: "JSONEachRow" })).json<T>();
  const insert = (table: string, row: object) => client.insert({ table, values: [row], format: "JSONEachRow" });
  // Versions only grow: a change made in the same millisecond as the one before it still wins.
  const nextVersion = (previous: string | number) => Math.max(Date.now(), Number(previous) + 1);

  const keys = async () => rows<KeyRow>("SELECT * FROM api_keys FINAL");
  const projects = async () => rows<ProjectRow>("SELECT * FROM projects FINAL");
  const storedProject = async (id: string) => (await rows<ProjectRow>(`SELECT * FROM projects FINAL WHERE id = ${chString(id)}`))[0];

  return {
    async projects() {
      return (await projects()).map(projectOf);
    },
    // ClickHouse has no unique constraint: two creating one id in the same instant may both succeed (the later
    // row wins). Projects are made by operators, one at a time; PostgreSQL refuses the second.
    async createProject(p) {
      if (await storedProject(p.id)) return false;
      await insert("projects", projectRow(p, 1));
      return true;
    },
    async saveProject(p) {
      const old = await storedProject(p.id);
      await insert("projects", projectRow(p, nextVersion(old?.version ?? 0)));
    },
    async keys() {
      return (await keys()).map(keyOf);
    },
    async addKey(k) {
      await insert("api_keys", rowOf(k, 1));
    },
    async revokeKey(id, atMs) {
      const [old] = await rows<KeyRow>(`SELECT * FROM api_keys FINAL WHERE id = ${chString(id)}`);
      if (!old) return false;
      await insert("api_keys", rowOf({ ...keyOf(old), revokedAtMs: atMs }, nextVersion(old.version)));
      return true;
    },
  };
}

function projectOf(r: ProjectRow): Project {
  return {
    id: r.id,
    name: r.name,
    origins: r.origins,
    retentionDays: Number(r.retention_days),
    createdAtMs: Number(r.created_at_ms),
    settings: JSON.parse(r.settings || "{}") as ProjectSettings,
  };
}

function projectRow(p: Project, version: number) {
  return {
    id: p.id,
    name: p.name,
    origins: [...p.origins],
    retention_days: p.retentionDays,
    created_at_ms: p.createdAtMs,
    version,
    settings: JSON.stringify(p.settings),
  };
}

function keyOf(r: KeyRow): StoredKey {
  return {
    id: r.id,
    projectId: r.project_id,
    kind: r.kind as KeyKind,
    hash: r.hash,
    hint: r.hint,
    publicKey: r.public_key,
    label: r.label,
    createdAtMs: Number(r.created_at_ms),
    revokedAtMs: Number(r.revoked_at_ms),
  };
}

function rowOf(k: StoredKey, version: number) {
  return {
    id: k.id,
    project_id: k.projectId,
    kind: k.kind,
    hash: k.hash,
    hint: k.hint,
    public_key: k.publicKey,
    label: k.label,
    created_at_ms: k.createdAtMs,
    revoked_at_ms: k.revokedAtMs,
    version,
  };
}
