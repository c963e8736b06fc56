import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson } from "../../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../../support/server/in-process-server.js";
import { type LocalPostgres, startLocalPostgres, TEST_DATABASE } from "../../support/services/index.js";
import { asReader, asWriter, readJson } from "../../support/test-keys.js";
import { waitUntil } from "../../support/wait.js";

const day = new Date().toISOString().slice(0, 10);

/** Sessions of the engine on a server, by application_name (the pools name themselves). */
async function engineSessions(port: number): Promise<string[]> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: TEST_DATABASE });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT DISTINCT application_name AS name FROM pg_stat_activity WHERE application_name LIKE 'insightplus-%' ORDER BY 1",
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

describe("PostgreSQL analytics on a streaming replica (POSTGRES_READ_HOST)", () => {
  let primary: LocalPostgres;
  let replica: LocalPostgres;
  let server: InProcessServer;
  beforeAll(async () => {
    primary = await startLocalPostgres();
    replica = await startLocalPostgres({ replicaOf: primary });
    server = await startInProcessServer({
      env: {
        DATABASE_TYPE: "postgres",
        POSTGRES_HOST: "127.0.0.1",
        POSTGRES_PORT: String(primary.port),
        POSTGRES_DB: TEST_DATABASE,
        POSTGRES_READ_HOST: "127.0.0.1",
        POSTGRES_READ_PORT: String(replica.port),
        INPROCESS_WORKER: "true",
        WORKER_LINGER_MS: "20",
      },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await replica?.stop();
    await primary?.stop();
  });

  const totalEvents = async () => (await readJson(`${server.url}/api/v1/analytics/total-events?from=${day}&to=${day}`)).totalEvents;

  it("writes go to the primary, analytics read the replica, and answer what the primary stored once it is replayed", async () => {
    const events = Array.from({ length: 40 }, (_, i) => ({ event: "page_view", distinctId: `u${i % 8}`, uuid: randomUUID() }));
    expect((await postJson(`${server.url}/api/v1/batch`, { events }, asWriter)).status).toBe(200);
    await waitUntil("the events replayed on the replica and counted", async () => (await totalEvents()) === "40", { timeoutMs: 20_000 });
    expect(await readJson(`${server.url}/api/v1/analytics/dau?from=${day}&to=${day}`)).toEqual({ days: [{ date: day, users: "8" }] });
    expect(await engineSessions(primary.port)).not.toContain("insightplus-analytics");
    expect(await engineSessions(primary.port)).toContain("insightplus-writer");
    expect(await engineSessions(replica.port)).toEqual(["insightplus-analytics"]);
  });

  it("with the replica down, analytics answer 503 while capture and storing go on; back, they answer again", async () => {
    await replica.halt();
    try {
      const res = await fetch(`${server.url}/api/v1/analytics/total-events?from=${day}&to=${day}`, { headers: asReader });
      expect(res.status).toBe(503);
      const events = Array.from({ length: 10 }, () => ({ event: "page_view", distinctId: "late", uuid: randomUUID() }));
      expect((await postJson(`${server.url}/api/v1/batch`, { events }, asWriter)).status).toBe(200);
      const stored = async () => {
        const client = new pg.Client({ host: "127.0.0.1", port: primary.port, user: "postgres", database: TEST_DATABASE });
        await client.connect();
        try {
          return Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM events")).rows[0].n);
        } finally {
          await client.end();
        }
      };
      await waitUntil("the worker stored them on the primary", async () => (await stored()) === 50, { timeoutMs: 20_000 });
    } finally {
      await replica.restart();
    }
    await waitUntil("analytics answer again from the replica", async () => (await totalEvents().catch(() => undefined)) === "50", { timeoutMs: 30_000 });
  });
});
