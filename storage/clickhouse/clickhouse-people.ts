import type { ClickHouseClient } from "@clickhouse/client";
import type { PersonChange } from "../../core/events/person-change.js";
import { personOf, personRowsOf } from "../person-rows.js";
import { chString } from "./clickhouse-literal.js";

/** $set_once rows keep the earliest value: their version counts down from here as time goes on. */
const setOnceBase = Number.MAX_SAFE_INTEGER;

/** People in ClickHouse: rows ReplacingMergeTree folds to the latest $set / earliest $set_once of each property. */
export function createClickHousePeople(client: ClickHouseClient) {
  const rows = async <T>(query: string) => (await client.query({ query, format: "JSONEachRow" })).json<T>();
  return {
    async savePeople(changes: readonly PersonChange[]): Promise<void> {
      const { properties, links } = personRowsOf(changes);
      if (properties.length > 0) {
        await client.insert({
          table: "person_properties",
          values: properties.map((r) => ({
            project_id: r.projectId,
            distinct_id: r.distinctId,
            key: r.key,
            set_once: r.setOnce ? 1 : 0,
            value: r.value,
            version: r.setOnce ? setOnceBase - r.atMs : r.atMs,
          })),
          format: "JSONEachRow",
        });
      }
      if (links.length > 0) {
        await client.insert({
          table: "person_links",
          values: links.map((r) => ({ project_id: r.projectId, distinct_id: r.distinctId, linked_id: r.linkedId, at_ms: r.atMs })),
          format: "JSONEachRow",
        });
      }
    },

    async person(projectId: string, distinctId: string) {
      const p = `project_id = ${chString(projectId)}`;
      const props = await rows<{ key: string; set_once: number; value: string }>(
        `SELECT key, set_once, argMax(value, version) AS value FROM person_properties
         WHERE ${p} AND distinct_id = ${chString(distinctId)} GROUP BY key, set_once`,
      );
      const links = await rows<{ id: string }>(
        `SELECT DISTINCT id FROM (
           SELECT linked_id AS id FROM person_links WHERE ${p} AND distinct_id = ${chString(distinctId)}
           UNION ALL SELECT distinct_id AS id FROM person_links WHERE ${p} AND linked_id = ${chString(distinctId)}) ORDER BY id`,
      );
      return { properties: personOf(props.map((r) => ({ key: r.key, setOnce: Number(r.set_once) === 1, value: r.value }))), linked: links.map((r) => r.id) };
    },
  };
}
