import { createHash } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config/config.js";
import type { Database } from "../../../storage/database.js";
import { openDatabase } from "../../../storage/open-database.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../support/databases.js";

const kinds = databaseKinds().filter((k) => k.kind === "clickhouse" || k.kind === "chdb");
const scope = { projectId: "default", startMs: Date.UTC(2024, 2, 1), endMs: Date.UTC(2024, 3, 1), tz: "UTC" };

describe.each(kinds)("power users on $kind, ranked by row count and counted exactly", ({ kind, missing }) => {
  if (missing) {
    it.skip(`skipped: ${missing}`);
    return;
  }
  let db: TestDatabase;
  let database: Database;
  /** `events` distinct events for `user` in project `project`, each stored `copies` times (a redelivery before ClickHouse merges). */
  const insert = async (project: string, rows: Array<{ user: string; events: number; copies?: number }>) => {
    if (database.connection.kind !== "clickhouse") throw new Error("not ClickHouse");
    const values = rows.flatMap(({ user, events, copies = 1 }) =>
      Array.from({ length: events }, (_, i) => {
        const h = createHash("md5").update(`${project}/${user}/${i}`).digest("hex");
        const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
        const time = new Date(Date.UTC(2024, 2, 10, 12) + i * 1000).toISOString().slice(0, 19).replace("T", " ");
        const row = `('${project}', '${uuid}', 'page_view', '${user}', '{}', '${time}', 0, '${time}', 0)`;
        return Array.from({ length: copies }, () => row);
      }),
    );
    await database.connection.client.command({
      query: `INSERT INTO events (project_id, uuid, event, distinct_id, properties, event_timestamp, timestamp_ms, received_at, timestamp_clamped) VALUES ${values.join(", ")}`,
    });
  };
  /** The exact answer, from every user's distinct uuids. */
  const oracle = async (projectId: string, limit: number) => {
    if (database.connection.kind !== "clickhouse") throw new Error("not ClickHouse");
    const rows = await (
      await database.connection.client.query({
        query: `SELECT distinct_id, uniqExact(uuid) AS n FROM events WHERE project_id = '${projectId}' GROUP BY distinct_id ORDER BY n DESC, distinct_id ASC LIMIT ${limit}`,
        format: "JSONEachRow",
      })
    ).json<{ distinct_id: string; n: string }>();
    return rows.map((x) => ({ distinctId: x.distinct_id, events: Number(x.n) }));
  };

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    database = await openDatabase(loadConfig(db.env).database, pino({ level: "silent" }), { retryAfterSeconds: 1 });
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await db?.drop();
  });

  it("with more users than candidates, copies ranking light users high, and ties at the edge", async () => {
    // "spread": 150 users with 1..150 events; "u0150" holds 150; three light users copied many times outrank it by rows.
    const spread = Array.from({ length: 150 }, (_, i) => ({ user: `u${String(i + 1).padStart(4, "0")}`, events: i + 1 }));
    await insert("spread", [...spread, ...["copy-a", "copy-b", "copy-c"].map((user) => ({ user, events: 3, copies: 80 }))]);
    // "ties": 130 users with 5 events each, one of them with copies: the edge of the candidates is all ties.
    await insert("ties", [
      ...Array.from({ length: 130 }, (_, i) => ({ user: `t${String(i).padStart(4, "0")}`, events: 5 })),
      { user: "t-copied", events: 5, copies: 3 },
    ]);
    // "few": fewer users than candidates.
    await insert("few", [
      { user: "b", events: 2 },
      { user: "a", events: 2 },
      { user: "c", events: 1, copies: 5 },
    ]);
    for (const [projectId, limit] of [
      ["spread", 10],
      ["spread", 100],
      ["spread", 200],
      ["ties", 10],
      ["few", 10],
      ["few", 1],
    ] as const) {
      const got = await database.analytics.mostActiveUsers({ ...scope, projectId }, limit);
      expect(got, `${projectId} top ${limit}`).toEqual(await oracle(projectId, limit));
    }
    expect((await database.analytics.mostActiveUsers({ ...scope, projectId: "spread" }, 3)).map((u) => u.events)).toEqual([150, 149, 148]);
  });
});
