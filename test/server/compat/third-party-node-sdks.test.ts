import { randomUUID } from "node:crypto";
import Rudder from "@rudderstack/rudder-sdk-node";
import { Analytics } from "@segment/analytics-node";
import pg from "pg";
import { PostHog } from "posthog-node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, postgresConnectionOf, type TestDatabase } from "../../support/databases.js";
import { type InProcessServer, startInProcessServer } from "../../support/server/in-process-server.js";
import { readJson, testKeys, withBasicKey } from "../../support/test-keys.js";
import { waitUntil } from "../../support/wait.js";

// The real, unmodified server SDKs of PostHog, Segment and RudderStack, pointed
// at this engine by their host option and the project's write key, with their
// default options otherwise: every event they send is stored once, with its
// name, user and properties, and they report no error.
let db: TestDatabase;
let server: InProcessServer;
let sql: pg.Pool;
const consoleErrors = vi.spyOn(console, "error");

beforeAll(async () => {
  db = await createTestDatabase("postgres");
  server = await startInProcessServer({ env: { ...db.env, INPROCESS_WORKER: "true", WORKER_LINGER_MS: "20" } });
  sql = new pg.Pool(postgresConnectionOf(db.env));
}, 60_000);
afterAll(async () => {
  await sql?.end();
  await server?.close();
  await db?.drop();
});
afterEach(() => {
  expect(consoleErrors.mock.calls).toEqual([]);
  consoleErrors.mockClear();
});

interface Stored {
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
  copies: number;
}

/** What the database holds for these users, once every expected event is in. */
async function storedFor(users: string[], expected: number): Promise<Stored[]> {
  const query = () =>
    sql.query<Stored>(
      `SELECT event, distinct_id, properties, count(*) OVER (PARTITION BY uuid)::int AS copies FROM events
       WHERE project_id = 'default' AND distinct_id = ANY($1) ORDER BY event_timestamp, event`,
      [users],
    );
  let rows: Stored[] = [];
  await waitUntil(`${expected} events stored`, async () => (rows = (await query()).rows).length >= expected, { timeoutMs: 30_000 });
  return rows;
}

describe("posthog-node", () => {
  it("with its defaults (gzip batches to /batch/) stores every event once, and identify sets person properties", async () => {
    const user = `ph-node-${randomUUID()}`;
    const errors: unknown[] = [];
    const client = new PostHog(testKeys.write, { host: server.url });
    client.on("error", (e) => errors.push(e));
    for (let i = 0; i < 25; i++) client.capture({ distinctId: user, event: "Report Exported", properties: { i, format: "csv" } });
    client.identify({ distinctId: user, properties: { email: "ada@example.com", plan: "pro" } });
    client.alias({ distinctId: user, alias: `${user}-old` });
    await client.shutdown();
    expect(errors).toEqual([]);

    const rows = await storedFor([user], 27);
    expect(rows.every((r) => r.copies === 1)).toBe(true);
    const exported = rows.filter((r) => r.event === "Report Exported");
    expect(exported.map((r) => r.properties.i).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(exported[0].properties).toMatchObject({ format: "csv", $lib: "posthog-node" });
    expect(rows.map((r) => r.event)).toEqual(expect.arrayContaining(["$identify", "$create_alias"]));
    await waitUntil("the person's properties kept", async () => {
      const person = await readJson(`${server.url}/api/v1/analytics/persons/${user}`);
      return person.properties?.email === "ada@example.com" && person.linkedIds?.includes(`${user}-old`);
    });
  });
});

describe("@segment/analytics-node", () => {
  it("stores track, identify, page, screen, group and alias calls once each", async () => {
    const user = `seg-node-${randomUUID()}`;
    const errors: unknown[] = [];
    const analytics = new Analytics({ writeKey: testKeys.write, host: server.url });
    analytics.on("error", (e) => errors.push(e));
    analytics.track({ userId: user, event: "Order Completed", properties: { total: 12.5, currency: "EUR" } });
    analytics.identify({ userId: user, traits: { name: "Ann", email: "ann@example.com" } });
    analytics.page({ userId: user, name: "Pricing", properties: { url: "https://shop.example/pricing?utm_source=news" } });
    analytics.screen({ userId: user, name: "Home" });
    analytics.group({ userId: user, groupId: "acme", traits: { seats: 5 } });
    analytics.alias({ userId: user, previousId: `${user}-anon` });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);

    const rows = await storedFor([user], 6);
    expect(rows.every((r) => r.copies === 1)).toBe(true);
    const byEvent = Object.fromEntries(rows.map((r) => [r.event, r.properties]));
    expect(Object.keys(byEvent).sort()).toEqual(["$create_alias", "$groupidentify", "$identify", "$pageview", "$screen", "Order Completed"].sort());
    expect(byEvent["Order Completed"]).toMatchObject({ total: 12.5, currency: "EUR", $lib: "@segment/analytics-node" });
    expect(byEvent.$pageview).toMatchObject({ name: "Pricing" });
    expect(byEvent.$create_alias).toMatchObject({ alias: `${user}-anon` });
    await waitUntil("the traits kept as person properties", async () => {
      const person = await readJson(`${server.url}/api/v1/analytics/persons/${user}`);
      return person.properties?.name === "Ann" && person.linkedIds?.includes(`${user}-anon`);
    });
  });

  it("sends a messageId again after a lost answer: still stored once", async () => {
    const user = `seg-retry-${randomUUID()}`;
    const body = { batch: [{ type: "track", event: "Retried", userId: user, messageId: `node-next-${user}` }] };
    const auth = { ...withBasicKey(testKeys.write), "content-type": "application/json" };
    const send = (b: object) => fetch(`${server.url}/v1/batch`, { method: "POST", headers: auth, body: JSON.stringify(b) });
    for (let i = 0; i < 3; i++) expect((await send(body)).status).toBe(200);
    // Queued after the three: once it is stored, so is everything the worker took before it (one worker, in order).
    const after = { batch: [{ type: "track", event: "After", userId: user, messageId: `node-next-${user}-after` }] };
    expect((await send(after)).status).toBe(200);
    const rows = await storedFor([user], 2);
    expect(rows.map((r) => `${r.event} ×${r.copies}`).sort()).toEqual(["After ×1", "Retried ×1"]);
  });
});

describe("@rudderstack/rudder-sdk-node (Segment's protocol, gzip, no content type)", () => {
  it("stores every call once", async () => {
    const user = `rudder-${randomUUID()}`;
    const client = new Rudder(testKeys.write, { dataPlaneUrl: server.url, flushAt: 5, logLevel: "error" });
    for (let i = 0; i < 7; i++) client.track({ userId: user, event: "Song Played", properties: { i } });
    client.identify({ userId: user, traits: { tier: "gold" } });
    await client.flush();
    const rows = await storedFor([user], 8);
    expect(rows.every((r) => r.copies === 1)).toBe(true);
    expect(rows.filter((r) => r.event === "Song Played")).toHaveLength(7);
    expect(rows.find((r) => r.event === "$identify")?.properties).toMatchObject({ $set: { tier: "gold" } });
  });
});
