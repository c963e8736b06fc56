import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueuedEventSchema } from "../../gen/insightplus/v1/queue_pb.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/databases.js";
import { countEvents, storedUuids } from "../support/event-counts.js";
import { postJson } from "../support/http-client.js";
import { type InProcessWorker, startInProcessWorker } from "../support/in-process-worker.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { waitUntil } from "../support/wait.js";

describe.each(databaseKinds())("worker into $kind", ({ kind, missing }) => {
  if (missing) {
    it.skip(`skipped: ${missing}`);
    return;
  }
  let db: TestDatabase;
  let server: InProcessServer;
  let worker: InProcessWorker;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startInProcessServer({ env: db.env });
    worker = await startInProcessWorker(server.streamKey, db.env);
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.close();
    await db?.drop();
  });

  it("stores every captured event exactly once and trims the stream once acked", async () => {
    const ids: string[] = [];
    for (let b = 0; b < 5; b++) {
      const events = Array.from({ length: 100 }, (_, i) => ({ event: "page_view", distinctId: `u${i % 17}`, properties: { b, i } }));
      const res = await postJson(`${server.url}/api/v1/batch`, { events });
      expect(res.json.accepted).toBe(100);
      ids.push(...res.json.eventIds);
    }
    await waitUntil("500 events stored", async () => (await countEvents(worker.database)).uuids >= 500);
    expect(await countEvents(worker.database)).toEqual({ uuids: 500, rows: 500 });
    expect(await storedUuids(worker.database)).toEqual(new Set(ids));
    await waitUntil("the stream trimmed", async () => (await server.streams.length()) <= 1, { timeoutMs: 10_000 });
  });

  it("counts an event sent twice with the same uuid once", async () => {
    const before = await countEvents(worker.database);
    const uuid = randomUUID();
    for (let i = 0; i < 2; i++) {
      expect((await postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "dup", uuid })).status).toBe(200);
    }
    const marker = (await postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "after-dup" })).json.eventId;
    await waitUntil("both copies and the marker processed", async () => (await storedUuids(worker.database)).has(marker));
    expect(await countEvents(worker.database)).toEqual({ uuids: before.uuids + 2, rows: before.rows + 2 });
  });

  it("dead-letters an undecodable entry and a row the database refuses, while the rest flows", async () => {
    const before = await countEvents(worker.database);
    // Written straight into a partition, as an older or foreign writer might; its dead letters go beside it.
    const [partition] = server.streams.layout.sources;
    const deadKey = partition.deadLetterKey;
    await server.redis.xadd(partition.streamKey, "*", "e", Buffer.from([0x0a, 0xff, 0xff, 0xff]));
    const refused = create(QueuedEventSchema, {
      uuid: "not-a-uuid",
      event: "page_view",
      distinctId: "bad",
      propertiesJson: "{}",
      timestampMs: BigInt(Date.now()),
      receivedAtMs: BigInt(Date.now()),
    });
    await server.redis.xadd(partition.streamKey, "*", "e", Buffer.from(toBinary(QueuedEventSchema, refused)));
    const good = await postJson(`${server.url}/api/v1/batch`, { events: Array.from({ length: 10 }, (_, i) => ({ event: "page_view", distinctId: `ok${i}` })) });
    await waitUntil("two dead letters", async () => (await server.redis.xlen(deadKey)) === 2);
    await waitUntil("the good events stored", async () => (await countEvents(worker.database)).uuids === before.uuids + 10);
    const reasons = (await server.redis.xrange(deadKey, "-", "+")).map(([, f]) => f[f.indexOf("reason") + 1]);
    expect(reasons[0]).toMatch(/^cannot decode/);
    expect(reasons[1]).toMatch(new RegExp(`^${worker.database.sink.name} refused the row`));
    const stored = await storedUuids(worker.database);
    expect(good.json.eventIds.every((id: string) => stored.has(id))).toBe(true);
    await server.redis.del(deadKey);
  });
});
