import pg from "pg";
import type { SqlClient } from "./sql-client.js";

/** SqlClient over a pg connection pool. */
export function createPgSqlClient(config: pg.PoolConfig): SqlClient {
  const pool = new pg.Pool({ max: 4, connectionTimeoutMillis: 5000, ...config });
  pool.on("error", () => undefined); // idle clients dying during an outage are replaced on next use
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async transaction(fn) {
      const conn = await pool.connect();
      try {
        await conn.query("BEGIN");
        const result = await fn({ query: async <T>(sql: string, params?: unknown[]) => (await conn.query(sql, params)).rows as T[] });
        await conn.query("COMMIT");
        return result;
      } catch (e) {
        await conn.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        conn.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
