import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { inject } from "vitest";
import { loadConfig } from "../../server/config.js";
import { decodeQueuedEvent } from "../../server/queue/queued-event-codec.js";
import { eventField } from "../../server/queue/redis-stream-publisher.js";
import type { AcceptedEvent } from "../../server/capture/event-input.js";
import { startServer, type RunningServer } from "../../server/server-runtime.js";

export interface TestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  streamKey: string;
  /** A separate client for assertions. */
  redis: Redis;
  /** Every event in the stream, decoded, oldest first. */
  streamEvents(): Promise<AcceptedEvent[]>;
  close(): Promise<void>;
}

/**
 * A real listening server on a free port, with its own stream key on the
 * test Redis. `env` overrides the configuration as environment variables would.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const streamKey = `test:${randomUUID()}`;
  const redisUrl = env.REDIS_URL ?? inject("redisUrl");
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", REDIS_QUEUE: streamKey, REDIS_URL: redisUrl, INPROCESS_WORKER: "false", ...env });
  const server: RunningServer = await startServer(config, pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined); // outage tests stop Redis on purpose
  await redis.connect();
  await waitUntilReady(`http://127.0.0.1:${server.address.port}`);
  return {
    url: `http://127.0.0.1:${server.address.port}`,
    port: server.address.port,
    streamKey,
    redis,
    async streamEvents() {
      const entries = await redis.xrangeBuffer(config.streamKey, "-", "+");
      return entries.map(([, fields]) => {
        const i = fields.findIndex((f) => f.toString() === eventField);
        return decodeQueuedEvent(fields[i + 1]);
      });
    },
    async close() {
      await server.close();
      await redis.del(streamKey).catch(() => undefined);
      redis.disconnect();
    },
  };
}

async function waitUntilReady(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server at ${url} never became ready`);
}

/** POST JSON (or raw text) and return status, headers and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
