import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import pino from "pino";
import { inject } from "vitest";
import type { AcceptedEvent } from "../../server/capture/event-input.js";
import { loadConfig } from "../../server/config.js";
import { decodeQueuedEvent } from "../../server/queue/queued-event-codec.js";
import { eventField } from "../../server/queue/redis-stream-publisher.js";
import { startServer, type RunningServer } from "../../server/server-runtime.js";

// For the SDK tests: an API server that can be stopped and started again on
// the same port and stream (test-server.ts picks both at random), and a
// reader that counts what reached the stream by uuid.

export interface ApiServer {
  url: string;
  port: number;
  streamKey: string;
  close(): Promise<void>;
}

/** A real server on `port` (0 = any free one) appending to `streamKey`. */
export async function startApiServer(opts: { port?: number; streamKey: string; env?: Record<string, string> }): Promise<ApiServer> {
  const config = loadConfig({
    PORT: String(opts.port ?? 0),
    HOST: "127.0.0.1",
    REDIS_QUEUE: opts.streamKey,
    REDIS_URL: opts.env?.REDIS_URL ?? inject("redisUrl"),
    SHUTDOWN_TIMEOUT_MS: "500",
    // No in-process worker: it would consume and trim the stream the tests count in.
    INPROCESS_WORKER: "false",
    ...opts.env,
  });
  const server: RunningServer = await startServer(config, pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
  const url = `http://127.0.0.1:${server.address.port}`;
  for (let i = 0; (await fetch(`${url}/readyz`).catch(() => undefined))?.ok !== true; i++) {
    if (i > 100) throw new Error(`server at ${url} never became ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port: server.address.port, streamKey: opts.streamKey, close: () => server.close() };
}

export interface StreamReader {
  streamKey: string;
  events(): Promise<AcceptedEvent[]>;
  /** uuid → how many times it is in the stream. */
  counts(): Promise<Map<string, number>>;
  /** Polls until `done(events)` holds; returns the events. */
  waitFor(done: (events: AcceptedEvent[]) => boolean, timeoutMs?: number): Promise<AcceptedEvent[]>;
  close(): Promise<void>;
}

export async function createStreamReader(streamKey = `test:sdk:${randomUUID()}`): Promise<StreamReader> {
  const redis = new Redis(inject("redisUrl"), { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  await redis.connect();
  async function events(): Promise<AcceptedEvent[]> {
    const entries = await redis.xrangeBuffer(streamKey, "-", "+");
    return entries.map(([, fields]) => decodeQueuedEvent(fields[fields.findIndex((f) => f.toString() === eventField) + 1]));
  }
  return {
    streamKey,
    events,
    async counts() {
      const counts = new Map<string, number>();
      for (const e of await events()) counts.set(e.uuid, (counts.get(e.uuid) ?? 0) + 1);
      return counts;
    },
    async waitFor(done, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const list = await events();
        if (done(list) || Date.now() > until) return list;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await redis.del(streamKey).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** A port nothing listens on (bound then released). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Every uuid exactly once: returns the uuids seen more than once and those missing. */
export function deliveryReport(expected: readonly string[], counts: Map<string, number>) {
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([u]) => u);
  const missing = expected.filter((u) => !counts.has(u));
  return { duplicated, missing, delivered: counts.size };
}
