import type { PersonChange } from "../../core/events/person-change.js";
import { personOf, personRowsOf } from "../person-rows.js";
import type { SqlClient } from "./sql-client.js";

/** People in PostgreSQL: upserts that keep the latest $set and the earliest $set_once of each property. */
export function createPostgresPeople(db: SqlClient) {
  return {
    async savePeople(changes: readonly PersonChange[]): Promise<void> {
      const { properties: p, links: l } = personRowsOf(changes);
      if (p.length > 0) {
        await db.query(
          `INSERT INTO person_properties (project_id, distinct_id, key, set_once, value, at)
           SELECT j, d, k, o, v::jsonb, to_timestamp(t / 1000.0)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::text[], $6::float8[]) AS x(j, d, k, o, v, t)
           ON CONFLICT (project_id, distinct_id, key, set_once) DO UPDATE SET value = EXCLUDED.value, at = EXCLUDED.at
           WHERE (NOT EXCLUDED.set_once AND EXCLUDED.at >= person_properties.at) OR (EXCLUDED.set_once AND EXCLUDED.at < person_properties.at)`,
          [p.map((r) => r.projectId), p.map((r) => r.distinctId), p.map((r) => r.key), p.map((r) => r.setOnce), p.map((r) => r.value), p.map((r) => r.atMs)],
        );
      }
      if (l.length > 0) {
        await db.query(
          `INSERT INTO person_links (project_id, distinct_id, linked_id, at)
           SELECT j, d, k, to_timestamp(t / 1000.0) FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) AS x(j, d, k, t)
           ON CONFLICT DO NOTHING`,
          [l.map((r) => r.projectId), l.map((r) => r.distinctId), l.map((r) => r.linkedId), l.map((r) => r.atMs)],
        );
      }
    },

    async person(projectId: string, distinctId: string) {
      const rows = await db.query<{ key: string; set_once: boolean; value: unknown }>(
        "SELECT key, set_once, value::text AS value FROM person_properties WHERE project_id = $1 AND distinct_id = $2",
        [projectId, distinctId],
      );
      const links = await db.query<{ id: string }>(
        `SELECT linked_id AS id FROM person_links WHERE project_id = $1 AND distinct_id = $2
         UNION SELECT distinct_id FROM person_links WHERE project_id = $1 AND linked_id = $2 ORDER BY 1`,
        [projectId, distinctId],
      );
      return { properties: personOf(rows.map((r) => ({ key: r.key, setOnce: r.set_once, value: String(r.value) }))), linked: links.map((r) => r.id) };
    },
  };
}
