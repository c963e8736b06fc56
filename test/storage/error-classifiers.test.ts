import { createClient } from "@clickhouse/client";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { createClickHouseErrors } from "../../storage/clickhouse/clickhouse-errors.js";
import { createPostgresErrors } from "../../storage/postgres/postgres-errors.js";

// One classifier per database, fed the errors the real servers give.
const pgErrors = createPostgresErrors({ target: "postgres://x", database: "x", user: "u", embedded: false });
const chErrors = createClickHouseErrors({ url: "http://x:8123", database: "x", username: "u" });

async function pgError(sql: string, config: pg.ClientConfig = {}): Promise<unknown> {
  const url = new URL(inject("postgresUrl"));
  const client = new pg.Client({
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || "postgres"),
    database: url.pathname.slice(1),
    ...config,
  });
  try {
    await client.connect();
    await client.query(sql);
    throw new Error(`${sql} did not fail`);
  } catch (e) {
    return e;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function chError(sql: string, settings: { username?: string } = {}): Promise<unknown> {
  const client = createClient({ url: inject("clickhouseUrl"), ...settings });
  try {
    await client.query({ query: sql });
    throw new Error(`${sql} did not fail`);
  } catch (e) {
    return e;
  } finally {
    await client.close();
  }
}

describe("the PostgreSQL classifier", () => {
  it("knows an unknown time zone from the server's own error", async () => {
    const e = await pgError("SELECT now() AT TIME ZONE 'Nowhere/Zone'");
    expect([pgErrors.isUnknownZone(e), pgErrors.classify(e)]).toEqual([true, "permanent"]);
  });
  it("calls a refused statement permanent, a missing database configuration, a refused connection transient", async () => {
    expect(pgErrors.classify(await pgError("SELECT * FROM no_such_table"))).toBe("permanent");
    expect(pgErrors.classify(await pgError("SELECT 1", { database: "no_such_database" }))).toBe("configuration");
    expect(pgErrors.classify(await pgError("SELECT 1", { port: 1, host: "127.0.0.1" }))).toBe("transient");
  });
  it("calls a deadlock, a serialization failure and a server shutting down transient", () => {
    for (const code of ["40P01", "40001", "57P01", "53300", "08006", "57014"]) expect(pgErrors.classify({ code })).toBe("transient");
  });
  it("explains a missing database naming POSTGRES_DB", async () => {
    expect(pgErrors.explain(await pgError("SELECT 1", { database: "no_such_database" })).variable).toBe("POSTGRES_DB");
  });
});

describe("the ClickHouse classifier", () => {
  it("knows an unknown time zone from the server's own error", async () => {
    const e = await chError("SELECT toDate(now(), 'Nowhere/Zone')");
    expect([chErrors.isUnknownZone(e), chErrors.classify(e)]).toEqual([true, "permanent"]);
  });
  it("calls bad SQL permanent, an unknown user configuration, a refused connection transient", async () => {
    expect(chErrors.classify(await chError("SELEKT 1"))).toBe("permanent");
    expect(chErrors.classify(await chError("SELECT 1", { username: "nobody" }))).toBe("configuration");
    const refused = await createClient({ url: "http://127.0.0.1:1" })
      .query({ query: "SELECT 1" })
      .catch((e) => e);
    expect(chErrors.classify(refused)).toBe("transient");
  });
  it("calls overload and timeouts transient, by the code in 18.16's plain messages too", () => {
    expect(chErrors.classify(new Error("Code: 241, e.displayText() = DB::Exception: Memory limit exceeded"))).toBe("transient");
    expect(chErrors.classify({ code: "159", message: "Timeout exceeded" })).toBe("transient");
  });
});
