import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { type ServerProcess, spawnServerProcess } from "../support/server/entry-process.js";
import { asWriter, readJson } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

// Zero configuration keeps its queue in the process: what it acknowledged must
// survive the process being killed, as it does with Redis (AOF) behind it.
describe("zero-configuration mode killed with SIGKILL under load", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "insightplus-crash-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { REDIS_URL: "", DATABASE_TYPE: "", CLICKHOUSE_HOST: "", POSTGRES_HOST: "", INPROCESS_WORKER: "", DATA_DIR: dataDir, LOG_LEVEL: "warn" };

  /** Clients sending single events and batches until stopped; every event id the server acknowledged. */
  function load(server: ServerProcess) {
    const acknowledged: string[] = [];
    let running = true;
    const client = async (c: number) => {
      for (let i = 0; running; i++) {
        const batch = i % 2 === 0;
        const events = Array.from({ length: batch ? 50 : 1 }, (_, k) => ({ event: "page_view", distinctId: `u${c}-${i}-${k}`, properties: { i, k } }));
        const res = await fetch(`${server.url}/api/v1/${batch ? "batch" : "capture"}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...asWriter },
          body: JSON.stringify(batch ? { events } : events[0]),
        }).catch(() => undefined);
        if (!res) return; // the server is gone: an answer never read is not an acknowledgement
        const body = (await res.json().catch(() => undefined)) as any;
        if (res.status === 200 && body) acknowledged.push(...(batch ? body.eventIds : [body.eventId]));
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    return {
      acknowledged,
      async stop() {
        running = false;
        await Promise.all(clients);
      },
    };
  }

  it("stores every acknowledged event exactly once after a restart", async () => {
    const first = await spawnServerProcess(env, { readyTimeoutMs: 150_000 });
    const traffic = load(first);
    await waitUntil("a few thousand events acknowledged", async () => traffic.acknowledged.length > 3000, { timeoutMs: 60_000, intervalMs: 20 });
    first.child.kill("SIGKILL");
    await first.exited;
    await traffic.stop();
    const acknowledged = [...traffic.acknowledged];

    const second = await spawnServerProcess(env, { readyTimeoutMs: 150_000 });
    const total = async () => Number((await readJson(`${second.url}/api/v1/analytics/total-events`)).totalEvents);
    let last = -1;
    let steady = 0; // polls without progress: the recovered backlog is all stored (or lost)
    await waitUntil(
      "the acknowledged events stored",
      async () => {
        const n = await total();
        steady = n === last ? steady + 1 : 0;
        last = n;
        return n >= acknowledged.length || steady >= 20;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    const db = await PGlite.create(dataDir);
    try {
      const stored = new Set((await db.query<{ uuid: string }>("SELECT uuid::text AS uuid FROM events")).rows.map((r) => r.uuid));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]); // none lost
      expect(new Set(acknowledged).size).toBe(acknowledged.length);
    } finally {
      await db.close();
    }
  }, 300_000);
});
