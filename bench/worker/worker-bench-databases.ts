/**
 * The two databases behind runTrials: each trial gets two fresh databases,
 * `<name>` for the worker (its sink migrates it) and `<name>_c` for the ceiling
 * (migrated by the same migrations), dropped after the trial and again at
 * cleanup should the run be interrupted.
 */
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import pg from "pg";
import { chString } from "../../storage/clickhouse/clickhouse-literal.js";
import { clickHouseRows, prepareClickHouseCeiling, preparePostgresCeiling } from "./worker-bench-ceilings.js";
import { cpuProbe } from "./worker-bench-cpu.js";
import { type BenchServices, onCleanup } from "./worker-bench-env.js";
import { type Db, runTrials, type TrialPlan } from "./worker-bench-trials.js";

export async function clickHouseTrials(p: TrialPlan, ch: NonNullable<BenchServices["clickhouse"]>, onCeilingName: (n: string) => void) {
  const rows = clickHouseRows(p.events);
  const admin = createClient({ url: ch.url, username: ch.user, password: ch.password, log: { level: ClickHouseLogLevel.OFF } });
  onCleanup("clickhouse admin client", () => admin.close());
  const fresh = async (name: string): Promise<Db> => {
    const drop = async () => {
      for (const db of [name, `${name}_c`]) await admin.command({ query: `DROP DATABASE IF EXISTS ${db}` });
    };
    onCleanup(`clickhouse databases ${name}, ${name}_c`, drop);
    return {
      env: {
        DATABASE_TYPE: "clickhouse",
        CLICKHOUSE_HOST: ch.host,
        CLICKHOUSE_PORT: String(ch.port),
        CLICKHOUSE_DB: name,
        CLICKHOUSE_USER: ch.user,
        CLICKHOUSE_PASSWORD: ch.password,
      },
      async countRows() {
        const r = await (await admin.query({ query: `SELECT count() AS n FROM ${name}.events`, format: "JSONEachRow" })).json<{ n: string }>();
        return Number(r[0].n);
      },
      ceiling: (batchSize, count) =>
        prepareClickHouseCeiling({ url: ch.url, database: `${name}_c`, user: ch.user, password: ch.password }, rows.slice(0, count), batchSize),
      drop,
      async quiet() {
        // Two empty looks in a row at system.merges, or 60 s at most.
        for (let i = 0, empty = 0; empty < 2 && i < 600; i++) {
          // Literals, not query parameters: ClickHouse 18.16 has none.
          const query = `SELECT count() AS n FROM system.merges WHERE database IN (${chString(name)}, ${chString(`${name}_c`)})`;
          const r = await (await admin.query({ query, format: "JSONEachRow" })).json<{ n: string }>();
          empty = Number(r[0].n) === 0 ? empty + 1 : 0;
          if (empty < 2) await new Promise((res) => setTimeout(res, 100));
        }
      },
    };
  };
  return runTrials("clickhouse", p, fresh, cpuProbe(p.redis, ch.dir ? { name: "clickhouse", dir: ch.dir } : undefined), onCeilingName);
}

export async function postgresTrials(p: TrialPlan, pgs: NonNullable<BenchServices["postgres"]>, onCeilingName: (n: string) => void) {
  const conn = { host: pgs.host, port: pgs.port, user: pgs.user, password: pgs.password };
  const admin = async (sql: string) => {
    const c = new pg.Client({ ...conn, database: pgs.database });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const fresh = async (name: string): Promise<Db> => {
    const drop = async () => {
      for (const db of [name, `${name}_c`]) await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    };
    onCleanup(`postgres databases ${name}, ${name}_c`, drop);
    for (const db of [name, `${name}_c`]) await admin(`CREATE DATABASE ${db}`);
    const count = async () => {
      const c = new pg.Client({ ...conn, database: name });
      await c.connect();
      try {
        return Number((await c.query("SELECT count(*)::int AS n FROM events")).rows[0].n);
      } finally {
        await c.end();
      }
    };
    return {
      env: {
        DATABASE_TYPE: "postgres",
        POSTGRES_HOST: pgs.host,
        POSTGRES_PORT: String(pgs.port),
        POSTGRES_DB: name,
        POSTGRES_USER: pgs.user,
        POSTGRES_PASSWORD: pgs.password,
      },
      countRows: count,
      ceiling: (batchSize, count) => preparePostgresCeiling({ ...conn, database: `${name}_c` }, p.events.slice(0, count), batchSize),
      drop,
    };
  };
  return runTrials("postgres", p, fresh, cpuProbe(p.redis, pgs.dir ? { name: "postgres", dir: pgs.dir } : undefined), onCeilingName);
}
