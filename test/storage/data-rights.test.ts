import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject } from "../support/admin-requests.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/databases.js";
import { patchJson, postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asAdmin, testKeys, withKey } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

const day = 86_400_000;
const now = Date.now();
const at = (daysAgo: number, hour = 12) => new Date(Math.floor((now - daysAgo * day) / day) * day + hour * 3_600_000).toISOString();

/** Recent events (0–5 days back) and old ones (20–28 days back) for alice and bob. */
function events() {
  const out: Array<{ event: string; distinctId: string; timestamp: string; properties?: object }> = [];
  for (const user of ["alice", "bob"]) {
    for (const d of [1, 2, 5, 20, 24, 28]) {
      out.push({ event: "page_view", distinctId: user, timestamp: at(d) });
      out.push({ event: "most_used_feature", distinctId: user, timestamp: at(d, 13), properties: { feature: `${user}-feature` } });
    }
  }
  return out;
}

describe.each(databaseKinds())("erasure and retention on $kind", ({ kind, missing }) => {
  if (missing) {
    it.skip(`skipped: ${missing}`);
    return;
  }
  let db: TestDatabase;
  let server: InProcessServer;
  let second: { writeKey: string; readKey: string };
  const ask = async (path: string, key: string = testKeys.read) => {
    const res = await fetch(`${server.url}/api/v1/analytics/${path}`, { headers: withKey(key) });
    expect(res.status).toBe(200);
    return (await res.json()) as any;
  };
  const users = async (key?: string) => (await ask("most-active-users?limit=10", key)).users.map((u: { distinctId: string }) => u.distinctId).sort();
  const dauSum = async (key?: string) => (await ask("dau?days=35", key)).days.reduce((n: number, d: { users: string }) => n + Number(d.users), 0);

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startInProcessServer({
      env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20", RETENTION_CHECK_SECONDS: "1", ROLLUP_CHECK_SECONDS: "1" },
    });
    second = await createProject(server.url, { id: "second", name: "Second" });
    expect((await postJson(`${server.url}/api/v1/batch`, { events: events() })).json.accepted).toBe(24);
    expect((await postJson(`${server.url}/api/v1/batch`, { events: events() }, withKey(second.writeKey))).json.accepted).toBe(24);
    for (const key of [testKeys.read, second.readKey]) {
      await waitUntil(
        "stored and rolled up",
        async () => (await ask("total-events", key)).totalEvents === "24" && (await ask("total-users", key)).totalUsers === "2",
        {
          timeoutMs: 60_000,
        },
      );
    }
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it("erasing a user removes them from every answer of that project, DAU and MAU rollups included, and from no other project", async () => {
    expect(await dauSum()).toBe(12); // 6 days × 2 users
    // What the person carries goes too: properties and the ids linked to them.
    const identify = {
      event: "$identify",
      distinctId: "alice",
      timestamp: at(1, 14),
      properties: { $set: { email: "alice@example.com" }, $anon_distinct_id: "anon-a" },
    };
    expect(
      (await postJson(`${server.url}/e/`, { ...identify, distinct_id: "alice", properties: { ...identify.properties, token: testKeys.write } })).status,
    ).toBe(200);
    await waitUntil("alice's person kept", async () => (await ask("persons/alice")).properties?.email === "alice@example.com", { timeoutMs: 30_000 });
    const erased = await postJson(`${server.url}/api/v1/admin/projects/default/erase`, { distinctId: "alice" }, asAdmin);
    expect(erased.status).toBe(200);
    expect(erased.json).toEqual({ events: "13" });
    expect(await ask("persons/alice")).toEqual({ distinctId: "alice", properties: {}, linkedIds: [] });
    expect(await users()).toEqual(["bob"]);
    expect(await ask("total-users")).toEqual({ totalUsers: "1" });
    expect(await ask("total-events")).toEqual({ totalEvents: "12" });
    expect(await dauSum()).toBe(6);
    expect((await ask("mau?months=3")).months.every((m: { users: string }) => Number(m.users) <= 1)).toBe(true);
    expect((await ask("most-used-feature")).top.map((f: { feature: string }) => f.feature)).toEqual(["bob-feature"]);
    // The other project keeps its alice.
    expect(await users(second.readKey)).toEqual(["alice", "bob"]);
    expect(await dauSum(second.readKey)).toBe(12);
  });

  it("a project's retention deletes its events older than that, rollups included, and no other project's", async () => {
    const defaultBefore = await ask("total-events");
    const res = await patchJson(`${server.url}/api/v1/admin/projects/second`, { retentionDays: 10 }, asAdmin);
    expect(res.status).toBe(200);
    expect(res.json.project.retentionDays).toBe(10);
    // Every worker applies it every RETENTION_CHECK_SECONDS (1 s here).
    await waitUntil("the old events gone", async () => (await ask("total-events", second.readKey)).totalEvents === "12", { timeoutMs: 60_000 });
    expect(await dauSum(second.readKey)).toBe(6); // 3 recent days × 2 users: the rollup lost the old days too
    expect(await ask(`total-users?from=${at(30).slice(0, 10)}&to=${at(15).slice(0, 10)}`, second.readKey)).toEqual({ totalUsers: "0" });
    expect(await ask("total-events")).toEqual(defaultBefore); // the default project keeps everything
  });
});
