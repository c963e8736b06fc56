import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildEngine } from "../../scripts/build-engine.mjs";
import { postJson } from "../support/http-client.js";
import { freePort } from "../support/ports.js";
import { readJson } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

// The original project's .example.env, copied to .env as its README says: the
// engine must start from it as it is, CLICKHOUSE_HOST with its scheme included.
describe("the original project's .env", () => {
  const dir = mkdtempSync(join(tmpdir(), "insightplus-original-env-"));
  const database = `orig_${Date.now().toString(36)}`;
  const ch = new URL(inject("clickhouseUrl"));
  beforeAll(() => buildEngine(), 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const admin = createClient({ url: ch.origin });
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await admin.close();
  });

  it("starts the engine with CLICKHOUSE_HOST=http://localhost, takes API_KEY as the write key, captures and answers", async () => {
    const port = await freePort();
    writeFileSync(
      join(dir, ".env"),
      [
        "NODE_ENV=development",
        `PORT=${port}`,
        "API_KEY=insightplus_dev",
        "DATABASE_TYPE=clickhouse",
        "CLICKHOUSE_HOST=http://localhost",
        `CLICKHOUSE_PORT=${ch.port}`,
        `CLICKHOUSE_DB=${database}`,
        "CLICKHOUSE_USER=default",
        "CLICKHOUSE_PASSWORD=",
        "POSTGRES_HOST=localhost",
        "POSTGRES_PORT=5432",
        "POSTGRES_DB=insightplus",
        "POSTGRES_USER=insightuser",
        "POSTGRES_PASSWORD=insightpass",
        `REDIS_URL=${inject("redisUrl")}`,
        `REDIS_QUEUE=insightplus_events_${database}`,
      ].join("\n"),
    );
    // The environment of this test run must not leak in: only PATH and HOME, and the .env in the working directory.
    const child = spawn(process.execPath, [resolve("dist/server-main.js")], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntil("the engine", async () => (await fetch(`${url}/readyz`)).ok, {
        timeoutMs: 60_000,
        gaveUp: () => (child.exitCode !== null ? output : undefined),
      });
      const example = { event: "user_registered", distinctId: "user_123", properties: { plan: "free", referral: "instagram" } };
      // API_KEY is the default project's write key: a client sending it is let in, one sending none is not.
      expect((await postJson(`${url}/api/v1/capture`, example, { authorization: "" })).status).toBe(401);
      const res = await postJson(`${url}/api/v1/capture`, example, { authorization: "", "x-api-key": "insightplus_dev" });
      expect(res.status).toBe(200);
      // The .env has no READ_API_KEY: the first start made a read key and printed it once.
      const readKey = /read key[^\n]*?(ipr_[A-Za-z0-9_-]+)/.exec(output)?.[1];
      expect(readKey).toBeDefined();
      expect(output).not.toMatch(/write key \(capture/); // API_KEY is the write key: none was made
      await waitUntil("the event stored", async () => (await readJson(`${url}/api/v1/analytics/total-events`, readKey)).totalEvents === "1");
      expect(output).toContain(`"target":"http://localhost:${ch.port}/${database}"`);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }, 90_000);
});
