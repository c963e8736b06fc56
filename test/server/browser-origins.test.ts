import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject, type MadeProject } from "../support/admin-requests.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { patchJson, postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asAdmin, withKey } from "../support/test-keys.js";

// Each project lists the origins its pages may send from; projects that list
// none take CORS_ORIGINS (here one origin, not the default "*").
let db: TestDatabase;
let server: InProcessServer;
let shop: MadeProject;

beforeAll(async () => {
  db = await createTestDatabase("pglite");
  server = await startInProcessServer({ env: { ...db.env, CORS_ORIGINS: "https://main.example" } });
  shop = await createProject(server.url, { name: "Shop", origins: ["https://shop.example"] });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const preflight = (origin: string) =>
  fetch(`${server.url}/api/v1/batch`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type, authorization" },
  });
const send = (origin: string, key?: string) =>
  postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "browser" }, { origin, ...(key ? withKey(key) : {}) });

describe("browser origins", () => {
  it("answer a preflight for any origin some project allows, echoing it with credentials allowed, and no other", async () => {
    for (const origin of ["https://shop.example", "https://main.example"]) {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
      expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    }
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("check each request against its own project's origins", async () => {
    const before = await server.streams.length();
    const allowed = await send("https://shop.example", shop.writeKey);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    // Allowed for another project, not for this one's key.
    const elsewhere = await send("https://main.example", shop.writeKey);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.json.message).toContain("origin");
    expect((await send("https://evil.example", shop.writeKey)).status).toBe(403);
    // The default project lists none: CORS_ORIGINS decides.
    expect((await send("https://main.example")).status).toBe(200);
    expect((await send("https://shop.example")).status).toBe(403);
    expect(await server.streams.length()).toBe(before + 2);
  });

  it("an origin list can be changed and takes effect at once", async () => {
    const project = `${server.url}/api/v1/admin/projects/${shop.id}`;
    const res = await patchJson(project, { origins: ["https://new-shop.example"], setOrigins: true }, asAdmin);
    expect(res.status).toBe(200);
    expect((await send("https://new-shop.example", shop.writeKey)).status).toBe(200);
    expect((await send("https://shop.example", shop.writeKey)).status).toBe(403);
    const bad = await patchJson(project, { origins: ["https://shop.example/path"], setOrigins: true }, asAdmin);
    expect(bad.status).toBe(400);
    expect(bad.json.field).toBe("origins[0]");
  });
});
