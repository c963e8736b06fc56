import type { Scope } from "../../analytics/analytics-store.js";
import type { PropertyFilter } from "../../analytics/insights/insight-query.js";
import { chString } from "./clickhouse-literal.js";

type Rows = <T>(query: string) => Promise<T[]>;

/**
 * Every JSON key in a properties text, at any depth, as written (a quoted
 * string followed by a colon: in valid JSON only keys are). Properties are
 * written by JSON.stringify, so a key's text is JSON.stringify(key) unquoted.
 */
const keyPattern = String.raw`"((?:[^"\\]|\\.)*)"\s*:`;

/**
 * The property keys seen per project and UTC day, kept at insert time: a
 * superset of the top-level keys (nested keys too), so a key missing here is
 * on no event of that day. Erasure and retention leave keys behind, which
 * only costs a scan that finds nothing.
 */
export const propertyKeysMigration = [
  `CREATE TABLE IF NOT EXISTS property_keys (
    project_id String,
    day Date,
    key String
  ) ENGINE = ReplacingMergeTree()
  PARTITION BY toYYYYMM(day)
  ORDER BY (project_id, key, day)`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS property_keys_mv TO property_keys AS
    SELECT DISTINCT project_id, toDate(event_timestamp) AS day, arrayJoin(extractAll(properties, ${chString(keyPattern)})) AS key FROM events`,
  `INSERT INTO property_keys
    SELECT DISTINCT project_id, toDate(event_timestamp) AS day, arrayJoin(extractAll(properties, ${chString(keyPattern)})) AS key FROM events`,
];

/** A filter no event without the property passes: only events that have it can match. */
const needsProperty = (f: PropertyFilter) =>
  f.operator === "is_set" || f.operator === "gt" || f.operator === "lt" || ((f.operator === "equals" || f.operator === "contains") && f.value !== "");

/**
 * Whether a filter needs a property that no event of the scope has: then the
 * answer is empty without reading the events (bench:dashboard: the top pages,
 * referrers, browsers and countries tiles of a project without web events,
 * each a scan of every event's properties).
 */
export function createClickHousePropertyKeys(rows: Rows) {
  const dayOf = (ms: number) => `toDate(${chString(new Date(ms).toISOString().slice(0, 10))})`;
  return {
    async noneHave(r: Scope, filters: PropertyFilter[]): Promise<boolean> {
      const keys = [...new Set(filters.filter(needsProperty).map((f) => JSON.stringify(f.property).slice(1, -1)))];
      if (keys.length === 0) return false;
      const seen = await rows<{ key: string }>(
        `SELECT DISTINCT key FROM property_keys WHERE project_id = ${chString(r.projectId)} AND key IN (${keys.map(chString).join(", ")})
         AND day >= ${dayOf(r.startMs)} AND day <= ${dayOf(r.endMs)}`,
      );
      return seen.length < keys.length;
    },
  };
}
