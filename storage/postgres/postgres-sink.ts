import type { StoredEvent } from "../../core/events/event-model.js";
import type { EventSink } from "../event-sink.js";
import { rethrowWriteFailure, type StorageErrorClassifier } from "../storage-errors.js";
import { createPostgresPeople } from "./postgres-people.js";
import type { SqlClient } from "./sql-client.js";

// One statement per batch: the columns travel as arrays (typed parameters, no
// SQL pasting) and are expanded server-side by unnest; a uuid already stored
// is skipped within its project, so redelivery never stores an event twice.
const insertSql = `
  INSERT INTO events (project_id, uuid, event, distinct_id, properties, event_timestamp, received_at, timestamp_clamped)
  SELECT j, u, e, d, p::jsonb, to_timestamp(t / 1000.0), to_timestamp(r / 1000.0), c
  FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::bool[]) AS x(j, u, e, d, p, t, r, c)
  ON CONFLICT (project_id, uuid) DO NOTHING`;

/** PostgreSQL (server or embedded PGlite) behind the EventSink seam. */
export function createPostgresSink(db: SqlClient, errors: StorageErrorClassifier, name = "postgres"): EventSink {
  const people = createPostgresPeople(db);
  const unavailable = rethrowWriteFailure(errors, "PostgreSQL");
  return {
    name,
    encode: (e) => e,
    async insert(rows) {
      if (rows.length === 0) return;
      const events = rows as readonly StoredEvent[];
      try {
        await db.query(insertSql, [
          events.map((e) => e.projectId),
          events.map((e) => e.uuid),
          events.map((e) => e.event),
          events.map((e) => e.distinctId),
          events.map((e) => e.propertiesJson),
          events.map((e) => e.timestampMs),
          events.map((e) => e.receivedAtMs),
          events.map((e) => e.timestampClamped),
        ]);
      } catch (e) {
        unavailable(e);
      }
    },
    async savePeople(changes) {
      if (changes.length > 0) await people.savePeople(changes).catch(unavailable);
    },
  };
}
