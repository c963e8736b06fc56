import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { buildEngine } from "../../scripts/build-engine.mjs";
import { runKeysCli } from "../support/admin-requests.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { postJson } from "../support/http-client.js";
import { type ServerProcess, spawnServerProcess } from "../support/server/entry-process.js";
import { asAdmin, sendingKey, testKeyEnv, testKeys, withKey } from "../support/test-keys.js";

// Every key this test shows the engine, valid or not: none may appear in
// anything it prints, at its most verbose log level, whatever the request did.
// On ClickHouse: its access store, where keys are rows of their own; skipped where a run has no ClickHouse.
describe.skipIf(!inject("clickhouseUrl"))("keys in the logs", () => {
  let db: TestDatabase;
  let server: ServerProcess;
  const seen = new Set<string>(Object.values(testKeys));

  beforeAll(async () => {
    db = await createTestDatabase("clickhouse");
    await buildEngine();
    server = await spawnServerProcess({
      ...db.env,
      REDIS_URL: inject("redisUrl"),
      REDIS_QUEUE: `test:logs:${Date.now()}`,
      LOG_LEVEL: "trace",
      INPROCESS_WORKER: "false",
    });
  }, 120_000);
  afterAll(async () => {
    server?.child.kill("SIGTERM");
    await server?.exited;
    await db?.drop();
  });

  it("appear in no line the server or the CLI prints, through every kind of request", async () => {
    const made = await postJson(`${server.url}/api/v1/admin/projects`, { name: "Logged" }, asAdmin);
    expect(made.status).toBe(200);
    const { writeKey, readKey } = made.json as { writeKey: string; readKey: string };
    const extra = await postJson(`${server.url}/api/v1/admin/projects/${made.json.project.id}/keys`, { kind: "admin" }, asAdmin);
    const rotated = await postJson(`${server.url}/api/v1/admin/keys/${extra.json.key.id}/rotate`, {}, asAdmin);
    const wrong = ["ipw_wrong-key-somebody-mistyped-000000", "not-even-a-key-but-secret"];
    for (const k of [writeKey, readKey, extra.json.secret, rotated.json.secret, ...wrong]) seen.add(k);

    for (const key of [writeKey, readKey, extra.json.secret, ...wrong]) {
      await postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "u" }, withKey(key));
      await postJson(`${server.url}/api/v1/capture`, "{broken json", withKey(key)); // a refused body, with a key
      await postJson(
        `${server.url}/api/v1/batch?api_key=${encodeURIComponent(key)}`,
        { events: [{ event: "page_view", distinctId: "u" }] },
        { authorization: "" },
      );
      await fetch(`${server.url}/api/v1/analytics/dau?days=bogus`, { headers: { "x-api-key": key } });
      await fetch(`${server.url}/api/v1/analytics/total-events`, { headers: withKey(key) });
      await fetch(`${server.url}/api/v1/admin/projects`, { headers: withKey(key) });
      await createClient(CaptureService, createGrpcTransport({ baseUrl: server.url, interceptors: [sendingKey(key)] }))
        .capture({ event: "page_view", distinctId: "" })
        .catch(() => undefined);
      await createClient(AnalyticsService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [sendingKey(key)] }))
        .getTotalEvents({})
        .catch(() => undefined);
    }
    await postJson(`${server.url}/api/v1/admin/keys/${rotated.json.key.id}/revoke`, {}, asAdmin);
    const cli = await runKeysCli(["create-key", made.json.project.id, "--kind", "read"], {
      ...testKeyEnv,
      ...db.env,
      REDIS_URL: inject("redisUrl"),
      LOG_LEVEL: "trace",
    });
    const cliKey = /ipr_[A-Za-z0-9_-]+/.exec(cli.stdout)![0];
    seen.add(cliKey);
    await fetch(`${server.url}/api/v1/analytics/total-events`, { headers: withKey(cliKey) });

    const printed = server.output() + cli.stderr;
    expect(printed.length).toBeGreaterThan(1000); // the trace level did print
    expect([...seen].filter((k) => printed.includes(k))).toEqual([]);
    expect(printed).not.toMatch(/ip[wra]_[A-Za-z0-9_-]{20,}/);
    expect(printed.toLowerCase()).not.toMatch(/"(authorization|x-api-key)"/);
  }, 60_000);
});
