import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { waitUntil } from "../support/wait.js";

// The original project's README examples, verbatim.
const example1 = `{
  "event": "user_registered",
  "distinctId": "user_123",
  "properties": {
    "plan": "free",
    "referral": "instagram"
  }
}`;
const example2 = `{
  "event": "payment_success",
  "distinctId": "user_123",
  "properties": {
    "amount": 499,
    "currency": "INR"
  }
}`;
const example3 = `{
  "event": "most_used_feature",
  "distinctId": "user_52",
  "properties": {
    "feature": "dashboard",
    "duration": 45
  }
}`;
const example4 = `{
  "event": "button_clicked",
  "distinctId": "user_99",
  "properties": {
    "btn": "save-settings"
  }
}`;

describe("REST capture with the default event list", () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcessServer();
  });
  afterAll(() => server.close());

  it("accepts the original README's examples 1-3 and queues them, decoded as sent", async () => {
    const before = Date.now();
    const ids: string[] = [];
    for (const body of [example1, example2, example3]) {
      const res = await postJson(`${server.url}/api/v1/capture`, body);
      expect(res.status).toBe(200);
      expect(res.json.status).toBe("queued");
      expect(res.json.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.push(res.json.eventId);
    }
    const events = await server.streamEvents();
    expect(events.map((e) => e.uuid)).toEqual(ids);
    expect(events.map((e) => [e.event, e.distinctId, JSON.parse(e.propertiesJson)])).toEqual([
      ["user_registered", "user_123", { plan: "free", referral: "instagram" }],
      ["payment_success", "user_123", { amount: 499, currency: "INR" }],
      ["most_used_feature", "user_52", { feature: "dashboard", duration: 45 }],
    ]);
    for (const e of events) {
      expect(e.timestampMs).toBeGreaterThanOrEqual(before);
      expect(e.timestampMs).toBeLessThanOrEqual(Date.now());
    }
  });

  it("refuses example 4 (button_clicked) naming the event, and queues nothing", async () => {
    const before = (await server.streamEvents()).length;
    const res = await postJson(`${server.url}/api/v1/capture`, example4);
    expect(res.status).toBe(400);
    expect(res.json.field).toBe("event");
    expect(res.json.message).toContain("button_clicked");
    expect((await server.streamEvents()).length).toBe(before);
  });

  it("keeps the client's uuid and corrects clock skew from sentAt", async () => {
    const uuid = "0b5a3e7e-2d1c-4f5e-9a8b-1c2d3e4f5a6b";
    // The client's clock is 10 minutes fast: the event happened 5 s before it was sent.
    const fast = Date.now() + 600_000;
    const res = await postJson(`${server.url}/api/v1/capture`, {
      event: "page_view",
      distinctId: "skewed",
      uuid: uuid.toUpperCase(),
      timestamp: new Date(fast - 5000).toISOString(),
      sentAt: new Date(fast).toISOString(),
    });
    expect(res.status).toBe(200);
    expect(res.json.eventId).toBe(uuid);
    const e = (await server.streamEvents()).find((x) => x.uuid === uuid)!;
    expect(Math.abs(e.timestampMs - (e.receivedAtMs - 5000))).toBeLessThan(5);
  });

  it("clamps timestamps more than a day ahead and flags them", async () => {
    const res = await postJson(`${server.url}/api/v1/capture`, {
      event: "page_view",
      distinctId: "future",
      timestamp: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(res.status).toBe(200);
    const e = (await server.streamEvents()).find((x) => x.uuid === res.json.eventId)!;
    expect(e.timestampClamped).toBe(true);
    expect(e.timestampMs).toBe(e.receivedAtMs);
  });

  it("answers a batch with partial success: valid events queued, invalid ones listed by index", async () => {
    const before = (await server.streamEvents()).length;
    const res = await postJson(`${server.url}/api/v1/batch`, {
      events: [
        { event: "page_view", distinctId: "b1" },
        { event: "nope", distinctId: "b2" },
        { event: "page_view", distinctId: "" },
        { event: "payment_success", distinctId: "b4", properties: { amount: 1 } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.accepted).toBe(2);
    expect(res.json.rejected.map((r: { index: number; field: string }) => [r.index, r.field])).toEqual([
      [1, "event"],
      [2, "distinctId"],
    ]);
    const added = (await server.streamEvents()).slice(before);
    expect(added.map((e) => e.distinctId)).toEqual(["b1", "b4"]);
    expect(added.map((e) => e.uuid)).toEqual(res.json.eventIds);
  });

  it("accepts a text/plain body, as navigator.sendBeacon sends it", async () => {
    const res = await postJson(`${server.url}/api/v1/batch`, JSON.stringify({ events: [{ event: "page_view", distinctId: "beacon" }] }), {
      "content-type": "text/plain;charset=UTF-8",
    });
    expect(res.status).toBe(200);
    expect(res.json.accepted).toBe(1);
  });

  it("answers CORS preflights for browser origins", async () => {
    const res = await fetch(`${server.url}/api/v1/batch`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });

  it("serves liveness and readiness", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/readyz/capture`)).json()).toEqual({ status: "ready", queue: true });
    // Its embedded database opens at the first probe (a probe waits 2 s at most): ready once it has.
    await waitUntil("ready", async () => (await fetch(`${server.url}/readyz`)).status === 200, { timeoutMs: 30_000, intervalMs: 250 });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: "ready", queue: true, database: true });
  });
});

describe("REST capture when the operator allows button_clicked", () => {
  it("accepts example 4 once ALLOWED_EVENTS lists it", async () => {
    const server = await startInProcessServer({ env: { ALLOWED_EVENTS: "user_registered,payment_success,most_used_feature,button_clicked" } });
    try {
      const res = await postJson(`${server.url}/api/v1/capture`, example4);
      expect(res.status).toBe(200);
      const [e] = await server.streamEvents();
      expect([e.event, e.distinctId, JSON.parse(e.propertiesJson)]).toEqual(["button_clicked", "user_99", { btn: "save-settings" }]);
    } finally {
      await server.close();
    }
  });

  it("accepts any name with ALLOWED_EVENTS=*", async () => {
    const server = await startInProcessServer({ env: { ALLOWED_EVENTS: "*" } });
    try {
      expect((await postJson(`${server.url}/api/v1/capture`, { event: "anything_at_all", distinctId: "u" })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
