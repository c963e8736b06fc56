/**
 * The little of a SQL driver the PostgreSQL sink and analytics need, so the
 * same SQL runs on a pg pool (PostgreSQL server) and on PGlite (embedded).
 */
export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `fn` in one transaction on one connection. */
  transaction<T>(fn: (tx: Pick<SqlClient, "query">) => Promise<T>): Promise<T>;
  /** `COPY … FROM STDIN` of `text` (COPY's text format), where the driver can (a server; not PGlite). */
  copyIn?(sql: string, text: string): Promise<void>;
  close(): Promise<void>;
}
