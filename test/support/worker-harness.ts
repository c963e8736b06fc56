import pino from "pino";
import { inject } from "vitest";
import { loadConfig, type Config } from "../../server/config.js";
import { openSink } from "../../worker/sink/sink-factory.js";
import type { EventSink } from "../../worker/sink/event-sink.js";
import { openRedisConsumer, startWorker, type RunningWorker } from "../../worker/worker-runtime.js";

export interface InProcessWorker {
  config: Config;
  sink: EventSink;
  worker: RunningWorker;
  stop(): Promise<void>;
}

/** A worker in the test process on the given stream and database (so PGlite can be queried through it). */
export async function startInProcessWorker(
  streamKey: string,
  dbEnv: Record<string, string>,
  env: Record<string, string> = {},
  logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
): Promise<InProcessWorker> {
  const config = loadConfig({
    REDIS_URL: inject("redisUrl"),
    REDIS_QUEUE: streamKey,
    WORKER_LINGER_MS: "50",
    WORKER_CLAIM_IDLE_MS: "1000",
    ...dbEnv,
    ...env,
  });
  const sink = await openSink(config.database, logger);
  const consumer = await openRedisConsumer(config, logger);
  const worker = startWorker({ config, logger, queue: consumer.queue, sink });
  return {
    config,
    sink,
    worker,
    async stop() {
      await worker.stop();
      await consumer.close();
      await sink.close();
    },
  };
}

/** Polls until `probe` returns true; fails with what it saw last. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
