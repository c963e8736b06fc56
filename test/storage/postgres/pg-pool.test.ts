import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgSqlClient } from "../../../storage/postgres/pg-sql-client.js";
import { createTestDatabase, postgresConnectionOf, type TestDatabase } from "../../support/databases.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("postgres");
});
afterAll(() => db.drop());
const connection = () => postgresConnectionOf(db.env);

// A busy pool is not an outage: a query waits for a connection however long the
// queries ahead of it take, and only connecting itself is bounded.
describe("the PostgreSQL pool", () => {
  it("queues queries beyond its size instead of failing them after the connect timeout", async () => {
    const sql = createPgSqlClient({ ...connection(), max: 1, connectionTimeoutMillis: 500 });
    try {
      const started = Date.now();
      const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => sql.query<{ i: number }>("SELECT $1::int AS i, pg_sleep(0.3)", [i])));
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
      expect(results.map((r) => (r as PromiseFulfilledResult<Array<{ i: number }>>).value[0].i)).toEqual([0, 1, 2, 3]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1100); // one at a time: the last waited past the 500 ms connect timeout
    } finally {
      await sql.close();
    }
  });

  it("still fails fast when the server cannot be reached", async () => {
    const sql = createPgSqlClient({ ...connection(), port: 1, max: 1, connectionTimeoutMillis: 500 });
    try {
      const err = await sql.query("SELECT 1").catch((e) => e);
      expect((err as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
    } finally {
      await sql.close();
    }
  });
});
