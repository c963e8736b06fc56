import { expect } from "vitest";
import type { FixtureEvent } from "./analytics-fixture.js";
import * as oracle from "./analytics-oracle.js";
import { postJson } from "./http-client.js";
import { withKey } from "./test-keys.js";
import { waitUntil } from "./wait.js";

/** Sends the events through REST batches, then the first 150 again (a retrying client's redelivery), and waits until every one is stored. */
export async function loadFixture(baseUrl: string, keys: { write: string; read: string }, events: FixtureEvent[]): Promise<void> {
  const wire = (e: FixtureEvent) => ({
    uuid: e.uuid,
    event: e.event,
    distinctId: e.distinctId,
    properties: e.properties,
    timestamp: new Date(e.ts).toISOString(),
  });
  const key = withKey(keys.write);
  for (let i = 0; i < events.length; i += 200) {
    const res = await postJson(`${baseUrl}/api/v1/batch`, { events: events.slice(i, i + 200).map(wire) }, key);
    expect(res.json.rejected).toEqual([]);
  }
  await postJson(`${baseUrl}/api/v1/batch`, { events: events.slice(0, 150).map(wire) }, key);
  const get = async (path: string) => (await (await fetch(`${baseUrl}/api/v1/analytics/${path}`, { headers: withKey(keys.read) })).json()) as any;
  // Total users is read from the ClickHouse rollup, which its materialized view writes just after
  // the events of the same INSERT become visible: wait for both.
  const t = oracle.totals(events);
  await waitUntil(
    "the fixture's events stored",
    async () => (await get("total-events")).totalEvents === t.totalEvents && (await get("total-users")).totalUsers === t.totalUsers,
    { timeoutMs: 90_000 },
  );
}
