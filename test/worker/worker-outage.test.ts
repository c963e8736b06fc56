import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countEvents, storedUuids } from "../support/event-counts.js";
import { postJson } from "../support/http-client.js";
import { type InProcessWorker, startInProcessWorker } from "../support/in-process-worker.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { type LocalClickHouse, type LocalPostgres, startLocalClickHouse, startLocalPostgres } from "../support/services/index.js";
import { waitUntil } from "../support/wait.js";

type Local = LocalPostgres | LocalClickHouse;

const databases: Array<[string, () => Promise<{ server: Local; env: Record<string, string> }>]> = [
  [
    "postgres",
    async () => {
      const server = await startLocalPostgres();
      const url = new URL(server.url);
      return { server, env: { DATABASE_TYPE: "postgres", POSTGRES_HOST: url.hostname, POSTGRES_PORT: url.port, POSTGRES_DB: url.pathname.slice(1) } };
    },
  ],
  [
    "clickhouse",
    async () => {
      const server = await startLocalClickHouse();
      return { server, env: { DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: "127.0.0.1", CLICKHOUSE_PORT: String(server.httpPort) } };
    },
  ],
];

describe.each(databases)("%s stopped for a while, then restarted", (_kind, start) => {
  let db: Local;
  let api: InProcessServer;
  let worker: InProcessWorker;
  let second: InProcessWorker;
  const logs: Array<{ msg: string }> = [];

  beforeAll(async () => {
    const started = await start();
    db = started.server;
    api = await startInProcessServer({ env: started.env });
    const sinkLog = new Writable({
      write: (line, _enc, done) => {
        logs.push(JSON.parse(String(line)));
        done();
      },
    });
    // Two workers, a short reclaim time and few deliveries allowed: an outage many
    // reclaim periods long must not be taken for dead workers and dead-letter events.
    const fast = { WORKER_CLAIM_IDLE_MS: "400", WORKER_MAX_DELIVERIES: "1" };
    const logger = pino({ level: "info" }, sinkLog);
    worker = await startInProcessWorker(api.streamKey, started.env, fast, logger);
    second = await startInProcessWorker(api.streamKey, started.env, fast, logger);
  }, 60_000);
  afterAll(async () => {
    await second?.stop();
    await worker?.stop();
    await api?.close();
    await db?.stop();
  });

  const send = async (tag: string, n = 50) => {
    const events = Array.from({ length: n }, (_, i) => ({ event: "page_view", distinctId: `${tag}-${i}` }));
    const res = await postJson(`${api.url}/api/v1/batch`, { events });
    expect(res.json.accepted).toBe(n);
    return res.json.eventIds as string[];
  };

  it("keeps events pending during the outage and stores every one exactly once afterwards", async () => {
    const ids = await send("before");
    await waitUntil("first batch stored", async () => (await countEvents(worker.database)).uuids === 50);

    await db.kill();
    ids.push(...(await send("during", 200))); // capture keeps answering: Redis holds them; one worker takes the batch, the other idles
    await new Promise((r) => setTimeout(r, 4000)); // ten reclaim periods; the workers retry with backoff meanwhile
    const group = worker.config.worker.group;
    expect(await api.streams.pending(group)).toBeGreaterThan(0); // the batch in hand stays pending: not acked, not lost

    await db.restart();
    ids.push(...(await send("after")));
    await waitUntil("everything stored", async () => (await countEvents(worker.database)).uuids === ids.length, { timeoutMs: 60_000 });
    expect(await countEvents(worker.database)).toEqual({ uuids: 300, rows: 300 });
    expect(await storedUuids(worker.database)).toEqual(new Set(ids));
    expect(await api.streams.deadLetters()).toBe(0);
    // Per worker that hit the outage: one warning when it began and one line when it ended, not one per retry.
    const began = logs.filter((l) => l.msg.startsWith("cannot store the batch")).length;
    expect(began).toBeGreaterThanOrEqual(1);
    expect(began).toBeLessThanOrEqual(2);
    // A worker says so when its own next write succeeds: the other may have stored everything a retry earlier.
    const ended = () => logs.filter((l) => l.msg.startsWith("database reachable again"));
    await waitUntil("each worker that hit the outage to say it ended", async () => ended().length >= began, { timeoutMs: 10_000 }).catch(() => undefined);
    expect(ended()).toHaveLength(began);
  }, 120_000);
});
