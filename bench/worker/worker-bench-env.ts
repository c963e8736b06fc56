/**
 * Services and cleanup for the worker bench: Redis, ClickHouse and PostgreSQL
 * from REDIS_URL / CLICKHOUSE_HOST / POSTGRES_HOST when set, else started
 * locally (and stopped at the end). Cleanup runs once however the run ends:
 * normally, on error, on SIGINT/SIGTERM, or when the time budget runs out.
 */
import { startLocalClickHouse, startLocalPostgres, startLocalRedis } from "../../test/support/services/index.js";

export interface BenchServices {
  redisUrl: string;
  /** `dir`: set when the bench started the server itself (its processes run there; used to read their CPU). */
  clickhouse: { host: string; port: number; url: string; user: string; password: string; dir?: string } | undefined;
  postgres: { host: string; port: number; user: string; password: string; database: string; dir?: string } | undefined;
  /** Where each came from, for the report. */
  sources: string[];
}

type Action = { name: string; fn: () => Promise<unknown> };
const actions: Action[] = [];
let cleaning: Promise<void> | undefined;

/** Registers a cleanup action; they run last-registered first, each bounded to 20 s. */
export function onCleanup(name: string, fn: () => Promise<unknown>): void {
  actions.push({ name, fn });
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const a of actions.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((r) => (timer = setTimeout(() => r("timed out"), 20_000)));
      const outcome = await Promise.race([
        a.fn().then(
          () => "ok",
          (e: unknown) => `failed: ${(e as Error)?.message ?? e}`,
        ),
        timeout,
      ]);
      clearTimeout(timer);
      if (outcome !== "ok") console.error(`cleanup ${a.name}: ${outcome}`);
    }
  })();
  return cleaning;
}

/** Cleans up, then exits with `code` (hard exit if cleanup itself hangs). */
export async function exitAfterCleanup(code: number): Promise<never> {
  setTimeout(() => process.exit(code), 60_000).unref();
  await cleanup();
  process.exit(code);
}

/** Signal handlers plus an overall watchdog for the whole run. */
export function guardRun(budgetMs: number): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up (processes, tables, stream keys)...`);
      void exitAfterCleanup(130);
    });
  }
  setTimeout(() => {
    console.error(`\nworker bench exceeded its time budget (${Math.round(budgetMs / 1000)} s); cleaning up`);
    void exitAfterCleanup(1);
  }, budgetMs).unref();
}

/** Env-provided services are used as they are; the others are started here and stopped at cleanup. */
export async function provideServices(env: NodeJS.ProcessEnv, want: { clickhouse: boolean; postgres: boolean }): Promise<BenchServices> {
  const sources: string[] = [];
  let redisUrl = env.REDIS_URL?.trim();
  if (redisUrl) sources.push("Redis: REDIS_URL");
  else {
    const r = await startLocalRedis();
    onCleanup("local redis", () => r.stop());
    redisUrl = r.url;
    sources.push("Redis: local redis-server (no persistence)");
  }
  let clickhouse: BenchServices["clickhouse"];
  if (want.clickhouse) {
    if (env.CLICKHOUSE_HOST?.trim()) {
      const host = env.CLICKHOUSE_HOST.trim();
      const port = Number(env.CLICKHOUSE_PORT ?? 8123);
      clickhouse = { host, port, url: `http://${host}:${port}`, user: env.CLICKHOUSE_USER ?? "default", password: env.CLICKHOUSE_PASSWORD ?? "" };
      sources.push("ClickHouse: CLICKHOUSE_HOST");
    } else {
      const ch = await startLocalClickHouse();
      onCleanup("local clickhouse", () => ch.stop());
      clickhouse = { host: "127.0.0.1", port: ch.httpPort, url: ch.url, user: "default", password: "", dir: ch.dir };
      sources.push(`ClickHouse: local ${await clickHouseVersion(ch.url)}`);
    }
  }
  let postgres: BenchServices["postgres"];
  if (want.postgres) {
    if (env.POSTGRES_HOST?.trim()) {
      postgres = {
        host: env.POSTGRES_HOST.trim(),
        port: Number(env.POSTGRES_PORT ?? 5432),
        user: env.POSTGRES_USER ?? "postgres",
        password: env.POSTGRES_PASSWORD ?? "",
        database: env.POSTGRES_DB ?? "postgres",
      };
      sources.push("PostgreSQL: POSTGRES_HOST");
    } else {
      const pg = await startLocalPostgres();
      onCleanup("local postgres", () => pg.stop());
      postgres = { host: "127.0.0.1", port: pg.port, user: "postgres", password: "", database: new URL(pg.url).pathname.slice(1), dir: pg.dir };
      sources.push("PostgreSQL: local (fsync=off, full_page_writes=off)");
    }
  }
  return { redisUrl, clickhouse, postgres, sources };
}

async function clickHouseVersion(url: string): Promise<string> {
  const res = await fetch(url, { method: "POST", body: "SELECT version()" }).catch(() => undefined);
  return res?.ok ? `clickhouse-server ${(await res.text()).trim()}` : "clickhouse-server";
}
