/**
 * Drain trials per database: for each round and batch size, a fresh database
 * holding both the worker's `events` table and the ceiling's identical table;
 * the worker and its ceiling run back to back (order alternating by round).
 */
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { Redis } from "ioredis";
import pg from "pg";
import type { Logger } from "pino";
import type { AcceptedEvent } from "../server/capture/event-input.js";
import { onCleanup } from "./worker-bench-env.js";
import type { BenchServices } from "./worker-bench-env.js";
import { clickHouseRows, prepareClickHouseCeiling, preparePostgresCeiling } from "./worker-bench-ceilings.js";
import { timed, workerDrain, type Timed } from "./worker-bench-drain.js";
import type { Trial } from "./worker-bench-report.js";

export interface TrialPlan {
  runId: string;
  redisUrl: string;
  redis: Redis;
  events: readonly AcceptedEvent[];
  entries: readonly Buffer[];
  batchSizes: readonly number[];
  rounds: number;
  logger: Logger;
  log(msg: string): void;
  /** Wraps one extra, unmeasured worker drain (the CPU profile); omitted: no extra drain. */
  profile?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Receives the profiled drain's figures. */
  profiled?: (kind: string, batchSize: number, t: Timed) => void;
}

interface Db {
  env: Record<string, string>;
  countRows(): Promise<number>;
  ceiling(batchSize: number): Promise<{ run(): Promise<void>; count(): Promise<number>; close(): Promise<void>; name?: string }>;
  drop(): Promise<void>;
}

async function runTrials(kind: string, p: TrialPlan, fresh: (name: string) => Promise<Db>, onCeilingName: (n: string) => void): Promise<Trial[]> {
  const trials: Trial[] = [];
  const timeoutMs = drainTimeoutMs(p.entries.length);
  const drain = async (db: Db, batchSize: number, key: string, around?: TrialPlan["profile"]) =>
    workerDrain({ redis: p.redis, env: { ...db.env, REDIS_URL: p.redisUrl }, streamKey: key, batchSize, entries: p.entries, logger: p.logger, timeoutMs, countRows: db.countRows, around });
  const ceiling = async (db: Db, batchSize: number): Promise<Timed> => {
    const c = await db.ceiling(batchSize);
    if (c.name) onCeilingName(c.name);
    try {
      const t = await timed(p.entries.length, () => c.run());
      const rows = await c.count();
      if (rows !== p.entries.length) t.note = `ceiling stored ${rows} rows for ${p.entries.length}`;
      return t;
    } finally {
      await c.close();
    }
  };
  for (let round = 1; round <= p.rounds; round++) {
    const sizes = round % 2 ? p.batchSizes : [...p.batchSizes].reverse();
    for (const batchSize of sizes) {
      const db = await fresh(`wb_${p.runId}_${kind}_${batchSize}_${round}`);
      try {
        const key = `bench:worker:${p.runId}:${kind}:${batchSize}:${round}`;
        const workerFirst = round % 2 === 1;
        const first = workerFirst ? await drain(db, batchSize, key) : await ceiling(db, batchSize);
        const second = workerFirst ? await ceiling(db, batchSize) : await drain(db, batchSize, key);
        const t = { batchSize, round, worker: workerFirst ? first : second, ceiling: workerFirst ? second : first };
        trials.push(t);
        p.log(`${kind} batch ${batchSize} round ${round}: worker ${t.worker.rate.toFixed(0)}/s, ceiling ${t.ceiling.rate.toFixed(0)}/s${t.worker.note ? ` (${t.worker.note})` : ""}`);
      } finally {
        await db.drop();
      }
    }
  }
  if (p.profile) {
    const bestSize = [...p.batchSizes].sort((a, b) => rateOf(trials, b) - rateOf(trials, a))[0];
    const db = await fresh(`wb_${p.runId}_${kind}_prof`);
    try {
      p.profiled?.(kind, bestSize, await drain(db, bestSize, `bench:worker:${p.runId}:${kind}:prof`, p.profile));
    } finally {
      await db.drop();
    }
  }
  return trials;
}

/** A drain slower than 2k events/s (or 30 s) counts as stuck. */
export const drainTimeoutMs = (events: number) => Math.max(30_000, events / 2);

const rateOf = (ts: Trial[], size: number) => Math.max(...ts.filter((t) => t.batchSize === size).map((t) => t.worker.rate));

export async function clickHouseTrials(p: TrialPlan, ch: NonNullable<BenchServices["clickhouse"]>, onCeilingName: (n: string) => void) {
  const rows = clickHouseRows(p.events);
  const admin = createClient({ url: ch.url, username: ch.user, password: ch.password, log: { level: ClickHouseLogLevel.OFF } });
  onCleanup("clickhouse admin client", () => admin.close());
  const fresh = async (name: string): Promise<Db> => {
    const drop = () => admin.command({ query: `DROP DATABASE IF EXISTS ${name}` }).then(() => undefined);
    onCleanup(`clickhouse database ${name}`, drop);
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${name}` });
    return {
      env: { DATABASE_TYPE: "clickhouse", CLICKHOUSE_HOST: ch.host, CLICKHOUSE_PORT: String(ch.port), CLICKHOUSE_DB: name, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password },
      async countRows() {
        const r = await (await admin.query({ query: `SELECT count() AS n FROM ${name}.events`, format: "JSONEachRow" })).json<{ n: string }>();
        return Number(r[0].n);
      },
      ceiling: (batchSize) => prepareClickHouseCeiling({ url: ch.url, database: name, user: ch.user, password: ch.password }, rows, batchSize),
      drop,
    };
  };
  return runTrials("clickhouse", p, fresh, onCeilingName);
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
    const drop = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    onCleanup(`postgres database ${name}`, drop);
    await admin(`CREATE DATABASE ${name}`);
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
      env: { DATABASE_TYPE: "postgres", POSTGRES_HOST: pgs.host, POSTGRES_PORT: String(pgs.port), POSTGRES_DB: name, POSTGRES_USER: pgs.user, POSTGRES_PASSWORD: pgs.password },
      countRows: count,
      ceiling: (batchSize) => preparePostgresCeiling({ ...conn, database: name }, p.events, batchSize),
      drop,
    };
  };
  return runTrials("postgres", p, fresh, onCeilingName);
}
