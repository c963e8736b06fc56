import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { dashboardRoutesPlugin } from "../../server/http/dashboard-routes.js";

const dir = mkdtempSync(join(tmpdir(), "insightplus-dashboard-"));
writeFileSync(join(dir, "index.html"), "<!doctype html><title>InsightPlus</title>");
writeFileSync(join(dir, "app.js"), "console.log(1)");
writeFileSync(join(tmpdir(), "insightplus-outside.txt"), "not served");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function appWith(opts: { dir: string | undefined }) {
  const app = Fastify();
  await app.register(dashboardRoutesPlugin, opts);
  return app;
}

describe("the dashboard's routes", () => {
  it("serve the page at / and its assets under /dashboard/, with a policy keeping the page on this origin", async () => {
    const app = await appWith({ dir });
    for (const url of ["/", "/?from=link", "/?"]) {
      const page = await app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body).toContain("InsightPlus");
      expect(page.headers["content-security-policy"], url).toMatch(/default-src 'self'; connect-src 'self'/);
      expect(page.headers["content-security-policy"], url).toContain("frame-ancestors 'none'");
      expect(page.headers["referrer-policy"], url).toBe("no-referrer");
    }
    const asset = await app.inject({ url: "/dashboard/app.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.headers["x-content-type-options"]).toBe("nosniff");
    for (const url of ["/dashboard/../insightplus-outside.txt", "/dashboard/%2e%2e/insightplus-outside.txt", "/dashboard/missing.js"]) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
    await app.close();
  });

  it("say how to build the dashboard when it is not built", async () => {
    const app = await appWith({ dir: undefined });
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain("npm run build");
    await app.close();
  });
});
