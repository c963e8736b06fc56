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
// Sums of UInt64 wrap around: a fingerprint, not a number to read.
const rowsOfHour = "count() AS n, sum(sipHash64(toString(uuid))) AS fingerprint";

export const countMigration = [
  `CREATE TABLE IF NOT EXISTS event_hour_changes (
    project_id String,
    hour DateTime('UTC'),
    n UInt64,
    fingerprint UInt64
  ) ENGINE = SummingMergeTree()
  PARTITION BY toYYYYMM(hour)
  ORDER BY (project_id, hour)`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS event_hour_changes_mv TO event_hour_changes AS
    SELECT project_id, toStartOfHour(event_timestamp) AS hour, ${rowsOfHour} FROM events GROUP BY project_id, hour`,
  `INSERT INTO event_hour_changes SELECT project_id, toStartOfHour(event_timestamp) AS hour, ${rowsOfHour} FROM events GROUP BY project_id, hour`,
  // Version: the server's time of the count (seconds × 10⁶, plus a random tiebreak): a later count of the same
  // hour, event and feature replaces an earlier one; one count's rows and marker share it.
  `CREATE TABLE IF NOT EXISTS event_hour_counts (
    project_id String,
    hour DateTime('UTC'),
    event String,
    feature String,
    n UInt64,
    fingerprint UInt64,
    version UInt64
  ) ENGINE = ReplacingMergeTree(version)
  PARTITION BY toYYYYMM(hour)
  ORDER BY (project_id, hour, event, feature)`,
];
