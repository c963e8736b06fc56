/**
 * The little of a SQL driver the PostgreSQL sink and analytics need, so the
 * same SQL runs on a pg pool (PostgreSQL server) and on PGlite (embedded).
 */
export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `fn` in one transaction on one connection. */
  transaction<T>(fn: (tx: Pick<SqlClient, "query">) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
