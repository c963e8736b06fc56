import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { ConfigError } from "../../core/errors/config-error.js";
import { rowsAsText } from "./clickhouse-client.js";

/**
 * A @clickhouse/client over embedded chdb (current ClickHouse, in-process).
 * chdb is ~550 MB, so it is not a dependency: install it to use it.
 */
export async function openChdbClient(dataDir: string): Promise<ClickHouseClient> {
  let mod: { createChdbConnection(o: { path: string }): unknown };
  try {
    mod = (await import("chdb/connection" as string)) as typeof mod;
  } catch {
    throw new ConfigError("DATABASE_TYPE", "chdb is not installed (run `npm install chdb` to use the embedded ClickHouse)");
  }
  return createClient({ connection: mod.createChdbConnection({ path: dataDir }), log: { level: ClickHouseLogLevel.OFF }, json: rowsAsText } as never);
}
