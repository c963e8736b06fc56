import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { runDeadLetters } from "../../main/dead-letters/dead-letter-commands.js";
import { createRedisDeadLetters, deadLetterFields } from "../../queue/redis/redis-dead-letters.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { readJson } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

const day = "2024-04-02";
const event = (distinctId: string) => ({
  projectId: "default",
  uuid: randomUUID(),
  event: "page_view",
  distinctId,
  propertiesJson: JSON.stringify({ path: "/mended" }),
  timestampMs: Date.parse(`${day}T09:00:00Z`),
  receivedAtMs: Date.parse(`${day}T09:00:01Z`),
  timestampClamped: false,
});

describe("npm run dead-letters, on the Redis the workers use", () => {
  let db: TestDatabase;
  let server: InProcessServer;
  let redis: Redis;
  const dir = mkdtempSync(join(tmpdir(), "dead-letters-"));
  const run = (...argv: string[]) =>
    runDeadLetters(argv, {
      letters: createRedisDeadLetters(redis, server.streams.layout),
      readFile: (p) => readFile(p, "utf8"),
    });
  const totalEvents = async () => (await readJson(`${server.url}/api/v1/analytics/total-events?from=${day}&to=${day}`)).totalEvents;

  beforeAll(async () => {
    db = await createTestDatabase("postgres");
    server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20" } });
    redis = new Redis(inject("redisUrl"));
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await server?.close();
    await db?.drop();
  });

  it("lists and shows what the worker refused, replays it as it was or mended, and drops it", async () => {
    // What the worker sets aside itself: an entry that does not decode.
    const [first, , third] = server.streams.layout.sources;
    await redis.xadd(first.streamKey, "*", "e", Buffer.from([0xff, 0x00, 0x13]));
    await waitUntil("the worker set it aside", async () => (await server.streams.deadLetters()) === 1);
    // And one it gave up on after its deliveries, written as the worker writes them, in another partition.
    const refused = event("kept-as-it-was");
    await redis.xadd(third.deadLetterKey, "*", ...deadLetterFields(encodeQueuedEvent(refused), "not stored after 5 deliveries", "1-0", 6));

    const listed = await run("list");
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^2 dead letters/);
    expect(listed.out).toMatch(/\n0\/\d+-\d+ .*\n2\/\d+-\d+ /); // oldest first across partitions, each id naming its partition
    expect(listed.out).toContain("(does not decode)");
    expect(listed.out).toContain(`page_view · kept-as-it-was · ${refused.uuid}`);
    const [garbageId, refusedId] = listed.out
      .split("\n")
      .slice(1)
      .map((l) => l.split(" ")[0]);

    const shown = await run("show", refusedId);
    expect(JSON.parse(shown.out)).toMatchObject({
      reason: "not stored after 5 deliveries",
      deliveries: 6,
      event: { uuid: refused.uuid, properties: { path: "/mended" } },
    });
    expect(JSON.parse((await run("show", garbageId)).out).event).toBeNull();

    // The undecodable one needs mending: refused as it is, and a mended file is checked field by field.
    expect(await run("replay", garbageId)).toMatchObject({ code: 2, out: expect.stringContaining("does not decode") });
    const mended = JSON.parse(shown.out);
    const file = join(dir, "mended.json");
    writeFileSync(file, JSON.stringify({ ...mended, event: { ...mended.event, uuid: "not-a-uuid" } }));
    expect(await run("replay", garbageId, "--file", file)).toMatchObject({ code: 2, out: expect.stringContaining("event.uuid is not a UUID") });
    writeFileSync(file, JSON.stringify({ ...mended, event: { ...mended.event, uuid: randomUUID(), distinctId: "mended" } }));
    expect(await run("replay", garbageId, "--file", file)).toEqual({ code: 0, out: `queued again (mended): ${garbageId}` });
    expect(await run("replay", refusedId)).toEqual({ code: 0, out: `queued again: ${refusedId}` });

    // Both stored, once each; nothing left to replay.
    await waitUntil("both stored", async () => (await totalEvents()) === "2");
    expect(await run("replay", refusedId)).toMatchObject({ code: 1 });
    expect((await run("list")).out).toMatch(/^0 dead letters/);

    const dropped = `2/${await redis.xadd(third.deadLetterKey, "*", ...deadLetterFields(encodeQueuedEvent(event("dropped")), "x", "2-0", 6))}`;
    expect(await run("drop", dropped)).toEqual({ code: 0, out: `dropped: ${dropped}` });
    expect(await run("drop", dropped)).toMatchObject({ code: 1 });
    expect(await run("drop", "99/1-0")).toMatchObject({ code: 1 }); // no such partition
    expect(await totalEvents()).toBe("2");
  });

  it("says how to use it when a command or id is missing", async () => {
    expect((await run("replay")).code).toBe(2);
    expect((await run("bogus")).out).toContain("list [--limit N]");
    expect((await run("list", "--limit", "0")).code).toBe(2);
  });
});
