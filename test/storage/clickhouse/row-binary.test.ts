import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config/config.js";
import type { StoredEvent } from "../../../core/events/event-model.js";
import { encodeQueuedEvent } from "../../../core/events/queued-event-codec.js";
import { clickHouseRowBinary, clickHouseRowBinaryFromQueued } from "../../../storage/clickhouse/clickhouse-row-binary.js";
import type { Database } from "../../../storage/database.js";
import { openDatabase } from "../../../storage/open-database.js";
import { UnstorableRowError } from "../../../storage/storage-errors.js";
import { createTestDatabase, type TestDatabase } from "../../support/databases.js";
import { sampleStoredEvent } from "../../support/sample-stored-event.js";

const base = sampleStoredEvent;
const variants: StoredEvent[] = [
  base,
  { ...base, uuid: "0196B2A0-0000-7000-8000-0000000000FF", propertiesJson: '{"q":"say \\"hi\\"","n":[1,2.5,null,true]}', timestampClamped: true },
  { ...base, uuid: "0196b2a0-0000-7000-8000-000000000002", distinctId: 'a"b\\c', event: "tab\tnew\nline\u0001\u007f", propertiesJson: '{"ctl":"\\u0000"}' },
  { ...base, uuid: "0196b2a0-0000-7000-8000-000000000003", distinctId: "ü✓", event: "nul\u0000inside", propertiesJson: '{"é":"😀"}' },
  { ...base, uuid: "0196b2a0-0000-7000-8000-000000000004", event: "", distinctId: "", propertiesJson: "", timestampMs: 999, receivedAtMs: 1000 },
  { ...base, uuid: "0196b2a0-0000-7000-8000-000000000005", projectId: "p_other", propertiesJson: `{"long":"${"x".repeat(300)}"}` },
];

describe("ClickHouse rows in RowBinary (the worker's insert over HTTP), on ClickHouse 18.16", () => {
  let db: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    db = await createTestDatabase("clickhouse");
    database = await openDatabase(loadConfig(db.env).database, pino({ level: "silent" }), { retryAfterSeconds: 1 });
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await db?.drop();
  });

  it("store every column as it was, from the queue's bytes and from decoded events, in one batch", async () => {
    const rows = variants.map((e, i) => (i % 2 === 0 ? clickHouseRowBinaryFromQueued(encodeQueuedEvent(e)) : clickHouseRowBinary(e)));
    await database.sink.insert(rows);
    const c = database.connection;
    if (c.kind !== "clickhouse") throw new Error("not ClickHouse");
    const query = `SELECT project_id, toString(uuid) AS uuid, event, distinct_id, properties, toUInt32(event_timestamp) AS seconds,
      timestamp_ms, toUInt32(received_at) AS received, timestamp_clamped FROM events ORDER BY uuid`;
    const stored = await (await c.client.query({ query, format: "JSONEachRow" })).json<Record<string, string | number>>();
    const expected = variants
      .map((e) => ({
        project_id: e.projectId,
        uuid: e.uuid.toLowerCase(),
        event: e.event,
        distinct_id: e.distinctId,
        properties: e.propertiesJson,
        seconds: Math.floor(e.timestampMs / 1000),
        timestamp_ms: String(e.timestampMs),
        received: Math.floor(e.receivedAtMs / 1000),
        timestamp_clamped: e.timestampClamped ? 1 : 0,
      }))
      .sort((a, b) => a.uuid.localeCompare(b.uuid));
    expect(stored).toEqual(expected);
  });

  it("refuse, naming why, a row ClickHouse could not hold: a uuid that is not one, a time before 1970", () => {
    expect(() => clickHouseRowBinaryFromQueued(encodeQueuedEvent({ ...base, uuid: "not-a-uuid" }))).toThrow(UnstorableRowError);
    expect(() => clickHouseRowBinary({ ...base, uuid: `${base.uuid}0` })).toThrow(/is not a UUID/);
    expect(() => clickHouseRowBinary({ ...base, timestampMs: -1500 })).toThrow(/before 1970/);
  });
});
