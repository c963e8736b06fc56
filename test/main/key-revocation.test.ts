import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildEngine } from "../../scripts/build-engine.mjs";
import { createProject, listedKeys, runKeysCli } from "../support/admin-requests.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { postJson } from "../support/http-client.js";
import { type ServerProcess, spawnServerProcess } from "../support/server/entry-process.js";
import { asAdmin, testKeyEnv, withKey } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

// Keys are cached in each server process; a revocation must reach every one:
// at once where Redis carries the announcement, else at the next reread.
describe("a key revoked on one server", () => {
  let db: TestDatabase;
  const servers: ServerProcess[] = [];
  let announced: ServerProcess; // shares Redis (and so the announcements), rereads only hourly
  let polling: ServerProcess; // another stream (no announcements reach it), rereads every 2 s
  let origin: ServerProcess;
  const stream = `test:revocation:${randomUUID()}`;
  const env = () => ({ ...db.env, REDIS_URL: inject("redisUrl"), REDIS_QUEUE: stream, LOG_LEVEL: "warn" });

  beforeAll(async () => {
    db = await createTestDatabase("postgres");
    await buildEngine(); // the CLI runs as built, as `npm run keys` does
    [origin, announced, polling] = await Promise.all([
      spawnServerProcess(env()),
      spawnServerProcess({ ...env(), KEY_REFRESH_SECONDS: "3600" }),
      spawnServerProcess({ ...env(), REDIS_QUEUE: `${stream}:elsewhere`, KEY_REFRESH_SECONDS: "2" }),
    ]);
    servers.push(origin, announced, polling);
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) s.child.kill("SIGTERM");
    await Promise.all(servers.map((s) => s.exited));
    await db?.drop();
  });

  const capture = (server: ServerProcess, key: string) =>
    postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "revocation" }, withKey(key)).then((r) => r.status);

  it("works on every server as soon as it is made, and is refused by every one once revoked", async () => {
    const made = await createProject(origin.url, { name: "Revocation" });
    const key = made.writeKey;
    for (const s of servers) expect(await capture(s, key)).toBe(200); // an unknown key makes a server reread the keys
    const id = (await listedKeys(origin.url, made.id)).find((k: any) => k.kind === "write").id;

    expect((await postJson(`${origin.url}/api/v1/admin/keys/${id}/revoke`, {}, asAdmin)).status).toBe(200);
    expect(await capture(origin, key)).toBe(401); // where it was revoked: at once
    // Rereading hourly, only the announcement over Redis can explain a refusal within seconds.
    await waitUntil("the server sharing Redis to refuse the key", async () => (await capture(announced, key)) === 401, { timeoutMs: 5_000, intervalMs: 50 });
    // No announcement reaches this one: it refuses at its next reread (KEY_REFRESH_SECONDS=2).
    await waitUntil("the polling server to refuse the key", async () => (await capture(polling, key)) === 401, { timeoutMs: 10_000, intervalMs: 100 });
  }, 60_000);

  it("is refused by every server when revoked with npm run keys", async () => {
    const cli = (...args: string[]) => runKeysCli([...args, "--json"], { ...testKeyEnv, ...env() });
    const made = JSON.parse((await cli("create-project", "Revoked by the CLI")).stdout);
    expect(made).toMatchObject({ projectId: expect.any(String), writeKey: expect.stringMatching(/^ipw_/), readKey: expect.stringMatching(/^ipr_/) });
    for (const s of servers) expect(await capture(s, made.writeKey)).toBe(200);
    const listed = JSON.parse((await cli("list")).stdout);
    const id = listed.projects.find((p: any) => p.project.id === made.projectId).keys.find((k: any) => k.kind === "write").id;
    await cli("revoke", id);
    await waitUntil(
      "the servers sharing Redis to refuse the key",
      async () => (await capture(origin, made.writeKey)) === 401 && (await capture(announced, made.writeKey)) === 401,
      {
        timeoutMs: 5_000,
        intervalMs: 50,
      },
    );
    await waitUntil("the polling server to refuse the key", async () => (await capture(polling, made.writeKey)) === 401, {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  }, 60_000);
});
