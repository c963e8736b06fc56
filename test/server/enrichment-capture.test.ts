import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject } from "../support/admin-requests.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { withKey } from "../support/test-keys.js";

// Enrichment at capture, on the native API and the compatible ones alike, as
// each project chooses; the queued event is what gets stored.
let db: TestDatabase;
let server: InProcessServer;
const safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const page = {
  $current_url: "https://shop.example/launch?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
  $referrer: "https://www.google.com/search?q=shop",
};
const keys: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase("pglite");
  server = await startInProcessServer({ env: { ...db.env, TRUST_PROXY: "true" } });
  const make = async (id: string, enrichment: Record<string, unknown>) => {
    keys[id] = (await createProject(server.url, { id, name: id, enrichment })).writeKey;
  };
  await make("defaults", {});
  await make("private", { userAgent: false, referrer: false, utm: false, bots: "keep" });
  await make("no-bots", { bots: "drop", storeIp: true, country: true });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

async function captured(project: string, properties: Record<string, unknown>, headers: Record<string, string>) {
  const res = await postJson(
    `${server.url}/api/v1/capture`,
    { event: "page_view", distinctId: "visitor", properties },
    { ...withKey(keys[project]), ...headers },
  );
  expect(res.status).toBe(200);
  const stored = (await server.streamEvents()).find((e) => e.uuid === res.json.eventId);
  return stored && (JSON.parse(stored.propertiesJson) as Record<string, unknown>);
}

describe("enrichment at capture", () => {
  it("adds browser, OS, device, referrer and campaign by default, keeps the client's own values, and stores no address", async () => {
    const props = await captured("defaults", { ...page, $os: "the client's own" }, { "user-agent": safari, "x-forwarded-for": "8.8.8.8" });
    expect(props).toMatchObject({
      $browser: "Mobile Safari",
      $os: "the client's own",
      $device_type: "Mobile",
      $referrer: page.$referrer,
      $referring_domain: "www.google.com",
      utm_source: "newsletter",
      utm_medium: "email",
      utm_campaign: "spring",
    });
    expect(props).not.toHaveProperty("$ip");
    expect(props).not.toHaveProperty("$geoip_country_code");
    expect(props).not.toHaveProperty("$is_bot");
  });

  it("flags known bots, and leaves server-side clients alone", async () => {
    expect(await captured("defaults", {}, { "user-agent": googlebot })).toMatchObject({ $is_bot: true });
    const server = await captured("defaults", {}, { "user-agent": "posthog-node/5.74.0" });
    expect(server).not.toHaveProperty("$is_bot");
    expect(server).not.toHaveProperty("$browser");
  });

  it("does what each project chose: nothing, or country and address and bots dropped", async () => {
    const none = await captured("private", page, { "user-agent": googlebot });
    expect(Object.keys(none ?? {}).sort()).toEqual(["$current_url", "$referrer"]);
    expect(await captured("no-bots", {}, { "user-agent": googlebot })).toBeUndefined(); // answered, not stored
    const kept = await captured("no-bots", {}, { "user-agent": safari, "x-forwarded-for": "8.8.8.8" });
    expect(kept).toMatchObject({ $ip: "8.8.8.8", $geoip_country_code: "US", $browser: "Mobile Safari" });
  });

  it("says itself what only the server knows: a client's $is_bot or $ip is replaced, $geoip_disable honoured", async () => {
    expect(await captured("defaults", { $is_bot: false }, { "user-agent": googlebot })).toMatchObject({ $is_bot: true });
    expect(await captured("no-bots", { $ip: "1.2.3.4" }, { "user-agent": safari, "x-forwarded-for": "8.8.8.8" })).toMatchObject({ $ip: "8.8.8.8" });
    const serverSide = await captured("no-bots", { $geoip_disable: true }, { "user-agent": "posthog-node/5.74.0", "x-forwarded-for": "8.8.8.8" });
    expect(serverSide).not.toHaveProperty("$geoip_country_code");
  });

  it("applies to the PostHog and Segment endpoints the same way", async () => {
    const posthog = await postJson(
      `${server.url}/e/`,
      { event: "$pageview", properties: { token: keys.defaults, distinct_id: "ph", ...page } },
      { "user-agent": safari },
    );
    expect(posthog.status).toBe(200);
    const segment = await postJson(
      `${server.url}/v1/page`,
      { writeKey: keys.defaults, anonymousId: "seg", context: { page: { url: page.$current_url, referrer: page.$referrer }, userAgent: safari } },
      { authorization: "" },
    );
    expect(segment.status).toBe(200);
    const events = await server.streamEvents();
    for (const id of ["ph", "seg"]) {
      const e = events.find((x) => x.distinctId === id);
      expect(JSON.parse(e!.propertiesJson)).toMatchObject({ $browser: "Mobile Safari", $referring_domain: "www.google.com", utm_campaign: "spring" });
    }
  });
});
