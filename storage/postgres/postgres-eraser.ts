import type { EventEraser } from "../../access/access-store.js";
import type { SqlClient } from "./sql-client.js";

/** Erasure and retention in PostgreSQL: plain DELETEs (there is no rollup table to follow); erasure takes the person too. */
export function createPostgresEraser(db: SqlClient): EventEraser {
  const deleted = async (where: string, params: unknown[]) => {
    const [{ n }] = await db.query<{ n: string }>(`WITH gone AS (DELETE FROM events WHERE ${where} RETURNING 1) SELECT count(*) AS n FROM gone`, params);
    return Number(n);
  };
  return {
    async eraseUser(projectId, distinctId) {
      await db.query("DELETE FROM person_properties WHERE project_id = $1 AND distinct_id = $2", [projectId, distinctId]);
      await db.query("DELETE FROM person_links WHERE project_id = $1 AND (distinct_id = $2 OR linked_id = $2)", [projectId, distinctId]);
      return deleted("project_id = $1 AND distinct_id = $2", [projectId, distinctId]);
    },
    deleteBefore: (projectId, beforeMs) => deleted("project_id = $1 AND event_timestamp < to_timestamp($2 / 1000.0)", [projectId, beforeMs]),
  };
}
