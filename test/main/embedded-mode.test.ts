import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { buildEngine } from "../../scripts/build-engine.mjs";
import { runKeysCli } from "../support/admin-requests.js";
import { postJson } from "../support/http-client.js";
import { spawnServerProcess } from "../support/server/entry-process.js";
import { readJson, withKey } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

describe("zero-configuration start (in-process queue, embedded PostgreSQL)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "insightplus-embedded-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  // Nothing but a port and a data directory: no Redis, no database settings.
  const env = { REDIS_URL: "", DATABASE_TYPE: "", CLICKHOUSE_HOST: "", POSTGRES_HOST: "", INPROCESS_WORKER: "", DATA_DIR: dataDir };

  it("runs the whole engine, says what it chose, and keeps acknowledged events across a restart", async () => {
    const first = await spawnServerProcess(env, { readyTimeoutMs: 150_000 }); // the first start creates the database (seconds)
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await postJson(`${first.url}/api/v1/capture`, { event: "user_registered", distinctId: `user_${i}`, properties: { plan: "free" } });
      expect(res.status).toBe(200);
      ids.push(res.json.eventId);
    }
    first.child.kill("SIGTERM"); // right after the acknowledgements: the stop drains the in-process queue
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/"queue":"in-process","dir":"[^"]*queue","reason":"REDIS_URL is not set"/);
    expect(first.output()).toMatch(/"database":"pglite","reason":"no database configured/);

    const second = await spawnServerProcess(env, { readyTimeoutMs: 150_000 }); // starts again on the same data
    const more = await postJson(`${second.url}/api/v1/capture`, { event: "page_view", distinctId: "user_0" });
    ids.push(more.json.eventId);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    const db = await PGlite.create(dataDir);
    try {
      const rows = (await db.query<{ uuid: string }>("SELECT uuid::text AS uuid FROM events")).rows;
      expect(new Set(rows.map((r) => r.uuid))).toEqual(new Set(ids));
      expect(rows).toHaveLength(21);
    } finally {
      await db.close();
    }
  }, 240_000);
});

describe("an embedded data directory", () => {
  it("is refused to a second engine while the first has it open, naming DATA_DIR", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "insightplus-locked-"));
    const env = { REDIS_URL: "", DATABASE_TYPE: "pglite", INPROCESS_WORKER: "", DATA_DIR: dataDir };
    const first = await spawnServerProcess(env, { readyTimeoutMs: 150_000 });
    try {
      const second = await spawnServerProcess(env, { waitReady: false });
      expect(await second.exited).toBe(2);
      expect(second.output()).toContain("invalid configuration: DATA_DIR");
      expect(second.output()).toContain("in use by another InsightPlus process");
    } finally {
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe("the first start with no keys configured", () => {
  it("makes the default project's keys, prints them once, and `npm run keys` lists the write key while the engine runs", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "insightplus-first-"));
    const env = {
      REDIS_URL: "",
      DATABASE_TYPE: "",
      CLICKHOUSE_HOST: "",
      POSTGRES_HOST: "",
      INPROCESS_WORKER: "",
      DATA_DIR: dataDir,
      API_KEY: "",
      READ_API_KEY: "",
      ADMIN_API_KEY: "",
    };
    await buildEngine();
    const first = await spawnServerProcess(env, { readyTimeoutMs: 150_000 });
    try {
      const writeKey = /write key[^\n]*?(ipw_[A-Za-z0-9_-]+)/.exec(first.output())?.[1];
      const readKey = /read key[^\n]*?(ipr_[A-Za-z0-9_-]+)/.exec(first.output())?.[1];
      expect(writeKey && readKey).toBeTruthy();
      expect(first.output()).toContain("npm run keys -- list");
      expect((await postJson(`${first.url}/api/v1/capture`, { event: "page_view", distinctId: "first" }, { authorization: "" })).status).toBe(401);
      expect((await postJson(`${first.url}/api/v1/capture`, { event: "page_view", distinctId: "first" }, withKey(writeKey!))).status).toBe(200);
      await waitUntil("stored", async () => (await readJson(`${first.url}/api/v1/analytics/total-events`, readKey)).totalEvents === "1");
      // The engine holds the embedded database: the CLI asks it over its socket in DATA_DIR.
      const listed = JSON.parse((await runKeysCli(["list", "--json"], { ...env, LOG_LEVEL: "warn" })).stdout);
      const project = listed.projects.find((p: any) => p.project.id === "default");
      expect(project.keys.map((k: any) => k.key)).toContain(writeKey);
      expect(JSON.stringify(listed)).not.toContain(readKey);
    } finally {
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
    }
    const second = await spawnServerProcess(env, { readyTimeoutMs: 150_000 });
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toMatch(/ip[wr]_/); // shown once: the second start prints no key
    rmSync(dataDir, { recursive: true, force: true });
  }, 300_000);
});
