import { describe, expect, inject, it } from "vitest";
import { spawnEntry } from "../support/server/entry-process.js";

/** Runs `npm run worker` with the given environment and returns its exit code and output. */
async function runWorker(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const worker = spawnEntry("worker", { STARTUP_TIMEOUT_MS: "500", ...env });
  return { code: await worker.exited, output: worker.output() };
}

const pg = () => new URL(inject("postgresUrl"));
const ch = () => new URL(inject("clickhouseUrl"));

describe("a bad database configuration stops the worker at start, naming the variable", () => {
  const cases: Array<[string, () => Record<string, string>, string]> = [
    ["unknown DATABASE_TYPE", () => ({ DATABASE_TYPE: "mongodb" }), "DATABASE_TYPE"],
    ["no Redis for a separate worker", () => ({ REDIS_URL: "" }), "REDIS_URL"],
    ["unreachable Redis", () => ({ REDIS_URL: "redis://127.0.0.1:1" }), "REDIS_URL: cannot reach Redis"],
    [
      "unreachable PostgreSQL",
      () => ({ DATABASE_TYPE: "postgres", POSTGRES_HOST: "127.0.0.1", POSTGRES_PORT: "1" }),
      "POSTGRES_HOST/POSTGRES_PORT: cannot reach",
    ],
    [
      "PostgreSQL refusing the user",
      () => ({ DATABASE_TYPE: "postgres", POSTGRES_HOST: pg().hostname, POSTGRES_PORT: pg().port, POSTGRES_USER: "nobody", POSTGRES_PASSWORD: "secret-pw" }),
      "POSTGRES_USER/POSTGRES_PASSWORD",
    ],
    [
      "a PostgreSQL database that does not exist",
      () => ({ DATABASE_TYPE: "postgres", POSTGRES_HOST: pg().hostname, POSTGRES_PORT: pg().port, POSTGRES_DB: "no_such_db" }),
      "POSTGRES_DB",
    ],
    [
      "unreachable ClickHouse",
      () => ({ DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: "127.0.0.1", CLICKHOUSE_PORT: "1" }),
      "CLICKHOUSE_HOST/CLICKHOUSE_PORT: cannot reach",
    ],
    [
      "a ClickHouse host that does not resolve (the scheme given, as in the original's .example.env)",
      () => ({ DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: "http://no-such-host.invalid" }),
      'CLICKHOUSE_HOST: cannot resolve the host "no-such-host.invalid"',
    ],
    [
      "something other than ClickHouse on CLICKHOUSE_PORT",
      () => ({ DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: "http://127.0.0.1", CLICKHOUSE_PORT: pg().port }),
      "CLICKHOUSE_HOST/CLICKHOUSE_PORT: cannot reach ClickHouse at http://127.0.0.1:",
    ],
    [
      "ClickHouse refusing the user",
      () => ({
        DATABASE_TYPE: "clickhouse",
        CLICKHOUSE_HOST: ch().hostname,
        CLICKHOUSE_PORT: ch().port,
        CLICKHOUSE_USER: "nobody",
        CLICKHOUSE_PASSWORD: "secret-pw",
      }),
      "CLICKHOUSE_USER/CLICKHOUSE_PASSWORD",
    ],
  ];
  it.concurrent.each(cases)(
    "%s",
    async (_name, env, expected) => {
      const { code, output } = await runWorker({ REDIS_URL: inject("redisUrl"), ...env() });
      expect(code).toBe(2);
      expect(output).toContain(`invalid configuration: ${expected}`);
      expect(output).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(output).not.toContain("secret-pw"); // secrets never printed
    },
    120_000,
  );
});
