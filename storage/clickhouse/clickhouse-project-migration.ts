import type { ClickHouseClient } from "@clickhouse/client";
import { schemaHas } from "./clickhouse-schema.js";
import { createTableSql, eventsTable, projectUserHoursRows, projectUserHoursTable } from "./clickhouse-tables.js";

// The project leads the sort key, so one project's questions read only its own parts. A sort key cannot
// gain a leading column in place (18.16 or current), so the events move to a new table: the new table takes
// the name `events` first (inserts from then on land in it), then the old rows are copied in as "default".
// Every step checks where an earlier, interrupted or concurrent run left things, so running it again (another
// worker starting, or a crash halfway) finishes the move; a row copied twice has the same sort key and folds.
const rollupRows = projectUserHoursRows("events");

const columns = "uuid, event, distinct_id, properties, event_timestamp, timestamp_ms, received_at, timestamp_clamped";

export async function moveToProjects(client: ClickHouseClient): Promise<void> {
  const has = (table: string, column?: string) => schemaHas(client, table, column);
  const run = (query: string) => client.command({ query });

  // 1. Events without projects step aside; the new table takes their name.
  if (!(await has("events", "project_id"))) {
    await run(createTableSql(eventsTable, "events_with_projects"));
    await run("DROP TABLE IF EXISTS user_hours_mv"); // it reads `events` and must not follow the rename
    await run("RENAME TABLE events TO events_before_projects, events_with_projects TO events");
  }
  // 2. The hourly users rollup, per project, fed from the new table.
  await run(createTableSql(projectUserHoursTable));
  await run(`CREATE MATERIALIZED VIEW IF NOT EXISTS project_user_hours_mv TO project_user_hours AS ${rollupRows}`);
  // 3. The old rows, into the default project (the view above fills the rollup as they arrive). Should the
  // table set aside hold projects already (two runs at once, without the lock openDatabase takes around
  // migrations where processes share a Redis), its rows keep theirs.
  if (await has("events_before_projects")) {
    const project = (await has("events_before_projects", "project_id")) ? "project_id" : "'default'";
    await run(`INSERT INTO events (project_id, ${columns}) SELECT ${project}, ${columns} FROM events_before_projects`);
    // Rows inserted between the rename and the view's creation reached no rollup: the rollup is a set, so
    // counting all of them again is harmless.
    await run(`INSERT INTO project_user_hours ${rollupRows}`);
    await run("DROP TABLE IF EXISTS events_before_projects");
  }
  await run("DROP TABLE IF EXISTS user_hours");
}
