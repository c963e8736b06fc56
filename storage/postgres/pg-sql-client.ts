import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pLimit from "p-limit";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { SqlClient } from "./sql-client.js";

export interface PgPoolOptions extends pg.PoolConfig {
  /** Connections this pool may hold; queries beyond it wait for one. */
  max: number;
}

/**
 * SqlClient over a pg connection pool. Queries beyond `max` wait in a queue
 * here, not in pg-pool: pg-pool's connectionTimeoutMillis bounds its queue wait
 * and the connect together, so a busy pool (a dashboard's ten queries at once)
 * failed like an unreachable server. Here the timeout bounds connecting only.
 */
export function createPgSqlClient(config: PgPoolOptions): SqlClient {
  const pool = new pg.Pool({ connectionTimeoutMillis: 5000, ...config });
  pool.on("error", () => undefined); // idle clients dying during an outage are replaced on next use
  const slot = pLimit(config.max);
  return {
    query<T>(sql: string, params?: unknown[]) {
      return slot(async () => (await pool.query(sql, params)).rows as T[]);
    },
    transaction(fn) {
      return slot(async () => {
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
      });
    },
    copyIn(sql, text) {
      return slot(async () => {
        const conn = await pool.connect();
        let failed: unknown;
        try {
          await pipeline(Readable.from([text]), conn.query(copyFrom(sql)));
        } catch (e) {
          failed = e;
          throw e;
        } finally {
          // A COPY cut off part-way may leave the connection mid-protocol: it is closed, not reused.
          conn.release(failed !== undefined);
        }
      });
    },
    async close() {
      slot.clearQueue();
      await pool.end();
    },
  };
}
