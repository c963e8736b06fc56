import { PGlite } from "@electric-sql/pglite";
import type { SqlClient } from "./sql-client.js";

/** SqlClient over embedded PostgreSQL (PGlite), stored in `dataDir`. */
export async function createPgliteSqlClient(dataDir: string): Promise<SqlClient> {
  const db = await PGlite.create(dataDir);
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    async transaction(fn) {
      return db.transaction((tx) => fn({ query: async <T>(sql: string, params?: unknown[]) => (await tx.query<T>(sql, params)).rows }));
    },
    async close() {
      await db.close();
    },
  };
}
