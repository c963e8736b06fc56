import type { AccessStore, StoredKey } from "../../access/access-store.js";
import type { KeyKind, Project, ProjectSettings } from "../../core/access/project-model.js";
import type { SqlClient } from "./sql-client.js";

const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

const insertProject = `INSERT INTO projects (id, name, origins, retention_days, created_at, settings)
  VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), $6::jsonb) ON CONFLICT (id)`;
const projectParams = (p: Project) => [p.id, p.name, [...p.origins], p.retentionDays, p.createdAtMs, JSON.stringify(p.settings)];

/** Projects and keys in PostgreSQL (server or PGlite): plain tables, values as $n parameters. */
export function createPostgresAccessStore(db: SqlClient): AccessStore {
  return {
    async projects() {
      const rows = await db.query<{ id: string; name: string; origins: string[]; retention_days: number; created: number; settings: string }>(
        `SELECT id, name, origins, retention_days, ${ms("created_at")} AS created, settings::text AS settings FROM projects`,
      );
      return rows.map(
        (r): Project => ({
          id: r.id,
          name: r.name,
          origins: r.origins,
          retentionDays: Number(r.retention_days),
          createdAtMs: Number(r.created),
          settings: JSON.parse(r.settings) as ProjectSettings,
        }),
      );
    },
    async createProject(p) {
      const rows = await db.query(`${insertProject} DO NOTHING RETURNING id`, projectParams(p));
      return rows.length > 0;
    },
    async saveProject(p) {
      await db.query(
        `${insertProject} DO UPDATE SET name = EXCLUDED.name, origins = EXCLUDED.origins, retention_days = EXCLUDED.retention_days,
           settings = EXCLUDED.settings`,
        projectParams(p),
      );
    },
    async keys() {
      const rows = await db.query<{
        id: string;
        project_id: string;
        kind: string;
        hash: string;
        hint: string;
        public_key: string;
        label: string;
        created: number;
        revoked: number | null;
      }>(`SELECT id, project_id, kind, hash, hint, public_key, label, ${ms("created_at")} AS created, ${ms("revoked_at")} AS revoked FROM api_keys`);
      return rows.map(
        (r): StoredKey => ({
          id: r.id,
          projectId: r.project_id,
          kind: r.kind as KeyKind,
          hash: r.hash,
          hint: r.hint,
          publicKey: r.public_key,
          label: r.label,
          createdAtMs: Number(r.created),
          revokedAtMs: r.revoked === null ? 0 : Number(r.revoked),
        }),
      );
    },
    async addKey(k) {
      await db.query(
        `INSERT INTO api_keys (id, project_id, kind, hash, hint, public_key, label, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8 / 1000.0))`,
        [k.id, k.projectId, k.kind, k.hash, k.hint, k.publicKey, k.label, k.createdAtMs],
      );
    },
    async revokeKey(id, atMs) {
      const rows = await db.query(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, to_timestamp($2 / 1000.0)) WHERE id = $1 RETURNING id`, [id, atMs]);
      return rows.length > 0;
    },
  };
}
