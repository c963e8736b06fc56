import { PGlite } from "@electric-sql/pglite";
import { lockDataDir } from "../../core/data-dir-lock.js";
import type { SqlClient } from "./sql-client.js";

/** SqlClient over embedded PostgreSQL (PGlite), stored in `dataDir`, which it holds locked while open. */
export async function createPgliteSqlClient(dataDir: string): Promise<SqlClient> {
  const unlock = lockDataDir(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir);
  } catch (e) {
    unlock();
    throw e;
  }
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    async transaction(fn) {
      return db.transaction((tx) => fn({ query: async <T>(sql: string, params?: unknown[]) => (await tx.query<T>(sql, params)).rows }));
    },
    async close() {
      await db.close();
      unlock();
    },
  };
}
