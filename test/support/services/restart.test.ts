// Local Postgres and ClickHouse keep committed data across a crash (kill) and a clean
// halt, each followed by restart() on the same port and data dir. Started here, not
// injected, since only a server we spawned can be killed. Skipped where the binary is
// missing rather than triggering an apt install inside a test's timeout.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { clickHouseQuery, findPostgresBinDir, type LocalClickHouse, type LocalPostgres, startLocalClickHouse, startLocalPostgres } from "./index.js";
import { findBinary } from "./provisioning.js";

const run = promisify(execFile);
const pgBin = findPostgresBinDir();
const chBin = findBinary(["clickhouse-server", "clickhouse"]);

describe.skipIf(!pgBin)("startLocalPostgres: kill / halt / restart", () => {
  let pg: LocalPostgres | undefined;
  afterAll(() => pg?.stop());
  const psql = async (sql: string) => (await run(join(pgBin!, "psql"), [pg!.url, "-XAtqc", sql])).stdout.trim();

  it("keeps a committed row across kill + restart and halt + restart", async () => {
    pg = await startLocalPostgres();
    await psql("CREATE TABLE durable (id int PRIMARY KEY, note text); INSERT INTO durable VALUES (1, 'before-kill')");

    await pg.kill();
    await expect(psql("SELECT 1")).rejects.toThrow(); // really down, not just restarted underneath us
    await pg.restart();
    expect(await psql("SELECT note FROM durable")).toBe("before-kill");

    await psql("INSERT INTO durable VALUES (2, 'before-halt')");
    await pg.halt();
    await expect(psql("SELECT 1")).rejects.toThrow();
    await pg.restart();
    expect(await psql("SELECT id, note FROM durable ORDER BY id")).toBe("1|before-kill\n2|before-halt");

    await pg.restart(); // while running: halts first
    expect(await psql("SELECT count(*) FROM durable")).toBe("2");
    await pg.stop();
    await pg.stop(); // idempotent
    await expect(pg.restart()).rejects.toThrow(/after stop/);
  }, 60_000);
});

describe.skipIf(!chBin)("startLocalClickHouse: kill / halt / restart", () => {
  let ch: LocalClickHouse | undefined;
  afterAll(() => ch?.stop());
  const query = (sql: string) => clickHouseQuery(ch!.url, sql);

  it("keeps an inserted row across kill + restart and halt + restart", async () => {
    ch = await startLocalClickHouse();
    await query("CREATE TABLE durable (id UInt32, note String) ENGINE = MergeTree() ORDER BY id");
    await query("INSERT INTO durable VALUES (1, 'before-kill')");

    await ch.kill();
    await expect(fetch(`${ch.url}/ping`)).rejects.toThrow();
    await ch.restart();
    expect(await query("SELECT note FROM durable FORMAT TSV")).toBe("before-kill\n");

    await query("INSERT INTO durable VALUES (2, 'before-halt')");
    await ch.halt();
    await expect(fetch(`${ch.url}/ping`)).rejects.toThrow();
    await ch.restart();
    expect(await query("SELECT id, note FROM durable ORDER BY id FORMAT TSV")).toBe("1\tbefore-kill\n2\tbefore-halt\n");
  }, 60_000);
});
