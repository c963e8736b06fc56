import { createTableSql, eventHourChangesRows, eventHourChangesTable, eventHourCountsTable } from "./clickhouse-tables.js";

/**
 * Exact event counts per project, UTC hour and event name, for the charts that
 * count events (bench:dashboard: exact counting over the raw rows was most of
 * a first load). ReplacingMergeTree keeps a redelivered copy until it merges,
 * so a count kept at insert time would count it twice; instead:
 *  - `event_hour_changes` sums, per hour, a hash of every row inserted, copies
 *    included (a view, at insert time), plus a random number per hour an
 *    erasure touched: its `fingerprint` moves whenever the hour changes, and
 *    never comes back to a value a count was taken at (a plain row count would,
 *    after retention deleted an hour and late events refilled it);
 *  - `event_hour_counts` holds, per hour, distinct uuids per event (and per
 *    feature for most_used_feature) as the worker last counted them (count-settler), and a marker row (event '') with the
 *    fingerprint it read before counting. An hour whose marker
 *    equals its fingerprint now is settled: its counts are exact. Queries read settled hours here and
 *    count the others from the events (clickhouse-event-counts.ts).
 * Rows hashed twice by the view and the backfill only move the fingerprint: harmless.
 */
export const countMigration = [
  createTableSql(eventHourChangesTable),
  `CREATE MATERIALIZED VIEW IF NOT EXISTS event_hour_changes_mv TO event_hour_changes AS ${eventHourChangesRows("events")}`,
  `INSERT INTO event_hour_changes ${eventHourChangesRows("events")}`,
  // Version: the server's time of the count (seconds × 10⁶, plus a random tiebreak): a later count of the same
  // hour, event and feature replaces an earlier one; one count's rows and marker share it.
  createTableSql(eventHourCountsTable),
];
