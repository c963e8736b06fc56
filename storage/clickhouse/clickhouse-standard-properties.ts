import type { ClickHouseClient } from "@clickhouse/client";
import type { Scope } from "../../analytics/analytics-store.js";
import type { PropertyFilter } from "../../analytics/insights/insight-query.js";
import { chString } from "./clickhouse-literal.js";
import { schemaHas } from "./clickhouse-schema.js";

/**
 * PostHog's standard web properties, the ones dashboards break down by (and the original project's `path`):
 * each event records which it carries in one bit of `standard_properties`, so a question filtered on one
 * that no event in its range has is answered empty after reading two bytes an event instead of every
 * event's properties (bench:dashboard: each of the top pages / referrers / browsers / countries tiles
 * of a project without web events scanned all of them, ~150 ms).
 */
export const standardProperties = [
  "$pathname",
  "$current_url",
  "$host",
  "$referring_domain",
  "$referrer",
  "$browser",
  "$os",
  "$device_type",
  "$geoip_country_code",
  "$utm_source",
  "$utm_medium",
  "$utm_campaign",
  "path",
] as const;

/** Which standard properties an event's JSON `properties` carry, one bit each. */
export function standardPropertiesMask(): string {
  const bits = standardProperties.map((key, i) => `bitShiftLeft(toUInt16(visitParamHas(properties, ${chString(key)})), ${i})`);
  return bits.reduce((acc, bit) => `bitOr(${acc}, ${bit})`);
}

/**
 * Computed by ClickHouse as each row is written (bench:views: the column's cost per row). visitParamHas
 * (every version) finds a key at any depth: a superset of the top-level keys filters read, as the
 * shortcut needs. ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS: the column is looked for first.
 */
export async function addStandardPropertiesColumn(client: ClickHouseClient): Promise<void> {
  const exists = () => schemaHas(client, "events", "standard_properties");
  if (await exists()) return;
  const mask = standardPropertiesMask();
  // Another process migrating at the same moment (without the Redis lock) may have added it first.
  await client.command({ query: `ALTER TABLE events ADD COLUMN standard_properties UInt16 MATERIALIZED ${mask}` }).catch(async (e: unknown) => {
    if (!(await exists())) throw e;
  });
}

/** A filter no event without the property passes. */
const needsProperty = (f: PropertyFilter) =>
  f.operator === "is_set" || f.operator === "gt" || f.operator === "lt" || ((f.operator === "equals" || f.operator === "contains") && f.value !== "");

/** Whether a filter needs a standard property that no event of the scope has: the answer is then empty. */
export function createClickHouseStandardProperties(rows: <T>(query: string) => Promise<T[]>, within: (r: Scope) => string) {
  return {
    async noneHave(r: Scope, filters: PropertyFilter[]): Promise<boolean> {
      const needed = filters
        .filter(needsProperty)
        .map((f) => standardProperties.indexOf(f.property as (typeof standardProperties)[number]))
        .filter((i) => i >= 0)
        .reduce((mask, i) => mask | (1 << i), 0);
      if (needed === 0) return false;
      const [{ seen }] = await rows<{ seen: number }>(`SELECT groupBitOr(standard_properties) AS seen FROM events WHERE ${within(r)}`);
      return (Number(seen) & needed) !== needed;
    },
  };
}
