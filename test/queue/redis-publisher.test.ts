import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createRedisClient } from "../../queue/redis/redis-client.js";
import { createRedisStreamPublisher } from "../../queue/redis/redis-stream-publisher.js";
import { createStreamReader } from "../support/stream-reader.js";
import { waitUntil } from "../support/wait.js";

describe("the stream publisher on an auto-pipelining client", () => {
  const stream = `test:publisher:${randomUUID()}`;
  afterAll(async () => (await createStreamReader(stream)).close());

  it("records its partition count as soon as Redis is up, even with other commands sent in that same moment", async () => {
    const streams = await createStreamReader(stream);
    const redis = createRedisClient({ url: inject("redisUrl") }, pino({ level: "silent" }));
    try {
      // A readiness probe answered the moment the connection is up: its PING opens an auto-pipeline in the very tick
      // the publisher records its partition count (a script defined only then crashed the process in a CI dry run).
      redis.once("ready", () => void redis.ping());
      const publisher = createRedisStreamPublisher({ redis, layout: streams.layout, backlogWatermark: 1e9, retryAfterSeconds: 1 });
      await waitUntil("the partition count recorded, before any event", async () => (await streams.redis.get(streams.layout.partitionsKey)) === "16", {
        timeoutMs: 5000,
      });
      const now = Date.now();
      await publisher.publish([
        {
          projectId: "default",
          uuid: randomUUID(),
          event: "page_view",
          distinctId: "u1",
          propertiesJson: "{}",
          timestampMs: now,
          receivedAtMs: now,
          timestampClamped: false,
        },
      ]);
      expect(await streams.length()).toBe(1);
      streams.redis.disconnect();
    } finally {
      redis.disconnect();
    }
  });
});
