import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@clickhouse/client";
import pg from "pg";
import { inject } from "vitest";
import { chdbInstalled, createChdbDatabase } from "./chdb-database.js";
import { plainCluster, replicatedCluster } from "./services/clickhouse-cluster-service.js";

export type DbKind = "clickhouse" | "clickhouse-cluster" | "clickhouse-replicated" | "chdb" | "postgres" | "pglite";

export interface TestDatabase {
  kind: DbKind;
  /** Environment that points the engine at this fresh, empty database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

const suffix = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/**
 * Every database kind, each with why this run cannot reach it (when it cannot):
 * a test over the kinds skips those, and says why in its title, instead of
 * leaving them out of the count. chdb (~550 MB) is installed by CI only.
 */
export function databaseKinds(): Array<{ kind: DbKind; missing?: string }> {
  return [
    { kind: "clickhouse", missing: inject("clickhouseUrl") ? undefined : "no ClickHouse in TEST_SERVICES" },
    { kind: "clickhouse-cluster", missing: inject("clickhouseClusterUrl") ? undefined : "no clickhouse-cluster in TEST_SERVICES" },
    { kind: "clickhouse-replicated", missing: inject("clickhouseClusterUrl") ? undefined : "no clickhouse-cluster in TEST_SERVICES" },
    { kind: "chdb", missing: chdbInstalled() ? undefined : "chdb is not installed (npm install --no-save --legacy-peer-deps chdb@3.4.0)" },
    { kind: "postgres", missing: inject("postgresUrl") ? undefined : "no PostgreSQL in TEST_SERVICES" },
    { kind: "pglite" },
  ];
}

/** The database kinds this test run can reach. */
export function availableDatabases(): DbKind[] {
  return databaseKinds()
    .filter((k) => !k.missing)
    .map((k) => k.kind);
}

/** Connection settings for a PostgreSQL TestDatabase (its env), as the pg clients take them. */
export function postgresConnectionOf(env: Record<string, string>) {
  return { host: env.POSTGRES_HOST, port: Number(env.POSTGRES_PORT), database: env.POSTGRES_DB, user: env.POSTGRES_USER, password: env.POSTGRES_PASSWORD };
}

/** A new empty database of the given kind, isolated from every other test. */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const name = suffix();
  if (kind === "chdb") return createChdbDatabase();
  if (kind === "clickhouse" || kind === "clickhouse-cluster" || kind === "clickhouse-replicated") {
    const url = new URL(inject(kind === "clickhouse" ? "clickhouseUrl" : "clickhouseClusterUrl"));
    const cluster = { clickhouse: "", "clickhouse-cluster": plainCluster, "clickhouse-replicated": replicatedCluster }[kind];
    return {
      kind,
      env: { DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: url.hostname, CLICKHOUSE_PORT: url.port, CLICKHOUSE_DB: name, CLICKHOUSE_CLUSTER: cluster },
      async drop() {
        const admin = createClient({ url: url.origin });
        await admin.command({ query: `DROP DATABASE IF EXISTS ${name}${cluster ? ` ON CLUSTER ${cluster}` : ""}` }).catch(() => undefined);
        await admin.close();
      },
    };
  }
  if (kind === "postgres") {
    const url = new URL(inject("postgresUrl"));
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return {
      kind,
      env: {
        DATABASE_TYPE: "postgres",
        POSTGRES_HOST: url.hostname,
        POSTGRES_PORT: url.port || "5432",
        POSTGRES_DB: name,
        POSTGRES_USER: decodeURIComponent(url.username || "postgres"),
        POSTGRES_PASSWORD: decodeURIComponent(url.password),
      },
      async drop() {
        const c = new pg.Client({ connectionString: url.toString() });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "insightplus-pglite-"));
  return { kind, env: { DATABASE_TYPE: "pglite", DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
