import Fastify from "fastify";
import pino from "pino";
import { createRedisClient } from "../../queue/redis/redis-client.js";
import { eventField } from "../../queue/redis/redis-stream-publisher.js";
import { runChild } from "../shared/child-ipc.js";
import { sampleEventBytes } from "./bench-config.js";

// The REST ceiling: a bare Fastify app (HTTP/1.1, default JSON body parser)
// whose one route does the same XADD of the same protobuf bytes as the server,
// on the same kind of Redis client (auto-pipelining), and nothing else.
runChild(async () => {
  const streamKey = process.env.REDIS_QUEUE!;
  const redis = createRedisClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" }, pino({ level: "warn" }));
  const bytes = sampleEventBytes();
  const eventId = "0190f0c2-7a4e-7cc1-9b1e-2f4d6a8b0c1d";
  const app = Fastify({ logger: false });
  app.post("/api/v1/capture", async () => {
    await redis.xadd(streamKey, "*", eventField, bytes);
    return { status: "queued", eventId };
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((resolve) => (redis.status === "ready" ? resolve() : redis.once("ready", () => resolve())));
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    port: address.port,
    async close() {
      await app.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
});
