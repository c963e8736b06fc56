// Proves the provisioning layer end to end: injected Redis, Redis crash/restart
// with AOF, and (when TEST_SERVICES asks for them) Postgres and ClickHouse.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { clickHouseQuery, findPostgresBinDir, type LocalRedis, requestedServices, startLocalRedis } from "./index.js";

const run = promisify(execFile);
const enabled = new Set(requestedServices());

describe("redis (injected)", () => {
  it("answers PING/SET/GET", async () => {
    const redis = new Redis(inject("redisUrl"), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe("PONG");
      const key = `services-test:${process.pid}`;
      await redis.set(key, "hello", "EX", 60);
      expect(await redis.get(key)).toBe("hello");
    } finally {
      redis.disconnect();
    }
  });
});

describe("startLocalRedis", () => {
  let local: LocalRedis | undefined;
  afterAll(() => local?.stop());

  it("keeps AOF data across SIGKILL + restart on the same port", async () => {
    local = await startLocalRedis({ appendonly: true });
    expect([6379, 5432]).not.toContain(local.port);
    const write = new Redis(local.url, { maxRetriesPerRequest: 1 });
    await write.set("durable", "survives-kill");
    write.disconnect();

    await local.kill();
    const probe = new Redis(local.url, { lazyConnect: true, retryStrategy: () => null });
    probe.on("error", () => {}); // the refused connection is the point
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
    await local.restart();

    const read = new Redis(local.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await read.get("durable")).toBe("survives-kill");
    } finally {
      read.disconnect();
    }
  });
});

describe.skipIf(!enabled.has("postgres"))("postgres (injected)", () => {
  it("runs a query against the test database", async () => {
    // No pg driver in package.json, so use psql (shipped with Debian's postgresql).
    const bin = findPostgresBinDir();
    const psql = bin ? join(bin, "psql") : "psql";
    const url = inject("postgresUrl");
    const { stdout } = await run(psql, [url, "-XAtc", "SELECT current_database(), 6 * 7"]);
    expect(stdout.trim()).toBe(`${new URL(url).pathname.slice(1)}|42`);
  });
});

describe.skipIf(!enabled.has("clickhouse"))("clickhouse (injected)", () => {
  it("answers SELECT version() and round-trips a MergeTree table", async () => {
    const url = inject("clickhouseUrl");
    expect(await clickHouseQuery(url, "SELECT version()")).toMatch(/^\d+\.\d+/);
    await clickHouseQuery(url, "DROP TABLE IF EXISTS services_test");
    await clickHouseQuery(url, "CREATE TABLE services_test (id UInt32, name String) ENGINE = MergeTree() ORDER BY id");
    await clickHouseQuery(url, "INSERT INTO services_test VALUES (2, 'b'), (1, 'a')");
    expect(await clickHouseQuery(url, "SELECT id, name FROM services_test ORDER BY id FORMAT TSV")).toBe("1\ta\n2\tb\n");
    await clickHouseQuery(url, "DROP TABLE services_test");
  });
});
