import pino from "pino";
import { loadConfig } from "../../core/config/config.js";
import { startEngine } from "../../main/engine-runtime.js";
import { benchWriteKey } from "../shared/bench-keys.js";
import { runChild } from "../shared/child-ipc.js";

// The real capture server (every protocol, one port), configured from the
// environment the bench passes; run as `node --import tsx bench/server-child.ts`.
runChild(async () => {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    REDIS_URL: process.env.REDIS_URL,
    REDIS_QUEUE: process.env.REDIS_QUEUE,
    QUEUE_PARTITIONS: process.env.QUEUE_PARTITIONS,
    // The bench deletes its stream between phases; never let the watermark refuse events mid-run.
    BACKLOG_WATERMARK: "1000000000000",
    // Capture only: the in-process worker would consume the stream (and open a database) in this
    // process, competing for the CPU the capture path is measured on. Workers run apart in production.
    INPROCESS_WORKER: "false",
    // Keys as a deployment has them; keyless capture on too, so the cost of the key check is measured
    // on the same server. Rate limits off unless the bench asks (their cost is a figure of its own).
    API_KEY: benchWriteKey,
    ALLOW_KEYLESS_CAPTURE: "true",
    RATE_LIMIT_PER_ADDRESS: process.env.RATE_LIMIT_PER_ADDRESS ?? "0",
    RATE_LIMIT_PER_KEY: process.env.RATE_LIMIT_PER_KEY ?? "0",
  });
  const server = await startEngine(config, pino({ level: config.logLevel }));
  // Ready to take events: capture needs no database (and this server has none configured).
  const url = `http://127.0.0.1:${server.address.port}/readyz/capture`;
  for (
    let i = 0;
    !(await fetch(url).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    if (i === 200) throw new Error(`${url} not ready after 10 s (is Redis at ${config.redisUrl} up?)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port: server.address.port, close: () => server.close() };
});
