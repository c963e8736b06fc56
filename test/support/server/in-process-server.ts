import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import pino from "pino";
import { inject } from "vitest";
import { loadConfig } from "../../../core/config/config.js";
import type { StoredEvent } from "../../../core/events/event-model.js";
import { startEngine } from "../../../main/engine-runtime.js";
import { createStreamReader, type StreamReader } from "../stream-reader.js";
import { testKeyEnv } from "../test-keys.js";
import { waitUntil } from "../wait.js";

export interface InProcessServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  streamKey: string;
  /** The server's streams: every partition's key, lengths. */
  streams: StreamReader;
  /** A separate client on the server's Redis, for assertions. */
  redis: Redis;
  /** Every event in the server's stream, decoded, oldest first. */
  streamEvents(): Promise<StoredEvent[]>;
  /** Stops the server (graceful), and deletes the stream unless it was given (`streamKey`). */
  close(): Promise<void>;
}

/**
 * The real engine in the test process, listening on `port` (0: any free one)
 * and queueing into its own stream on the test Redis (or `streamKey`, to
 * restart a server on the same stream). No in-process worker unless `env`
 * asks for one: it would consume the stream the tests read. It knows the
 * test keys (test-keys.ts) and keeps any embedded files in a temporary
 * DATA_DIR of its own. `env` overrides the configuration as environment
 * variables would.
 */
export async function startInProcessServer(opts: { env?: Record<string, string>; port?: number; streamKey?: string } = {}): Promise<InProcessServer> {
  const streamKey = opts.streamKey ?? `test:${randomUUID()}`;
  const redisUrl = opts.env?.REDIS_URL ?? inject("redisUrl");
  const dataDir = mkdtempSync(join(tmpdir(), "insightplus-server-"));
  const config = loadConfig({
    ...testKeyEnv,
    DATA_DIR: dataDir,
    PORT: String(opts.port ?? 0),
    HOST: "127.0.0.1",
    REDIS_QUEUE: streamKey,
    REDIS_URL: redisUrl,
    INPROCESS_WORKER: "false",
    SHUTDOWN_TIMEOUT_MS: "2000",
    ...opts.env,
  });
  const engine = await startEngine(config, pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
  const url = `http://127.0.0.1:${engine.address.port}`;
  const reader = await createStreamReader(streamKey, redisUrl, config.queuePartitions);
  await waitUntil(`the server at ${url} to be ready`, async () => (await fetch(`${url}/readyz/capture`)).ok, { timeoutMs: 5000, intervalMs: 50 });
  return {
    url,
    port: engine.address.port,
    streamKey,
    streams: reader,
    redis: reader.redis,
    streamEvents: reader.events,
    async close() {
      await engine.close();
      if (opts.streamKey === undefined) await reader.close();
      else reader.redis.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
