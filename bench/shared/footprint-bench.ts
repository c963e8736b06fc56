/**
 * The engine's footprint as `npm start` runs it (server with the in-process
 * worker, Redis queue, PostgreSQL): time from spawn to /readyz, then RSS of
 * the engine process and of everything npm started, after a load of REST
 * batches and concurrent /api/v1/analytics/all requests.
 *   npx tsx bench/shared/footprint-bench.ts
 * Env: BENCH_EVENTS (100000) BENCH_ROUNDS (3)
 *      BENCH_ENGINE_ROOT (this repository): another checkout, to measure a before and an after on one machine.
 */
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { freePort } from "../../test/support/ports.js";
import { startLocalPostgres, startLocalRedis } from "../../test/support/services/index.js";
import { waitUntil } from "../../test/support/wait.js";
import { commandLine, machineSummary } from "./bench-header.js";
import { benchKeyEnv, benchKeyHeaders, benchReadHeaders } from "./bench-keys.js";
import { median } from "./measure.js";
import { rssMb } from "./proc-stats.js";

const events = Number(process.env.BENCH_EVENTS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const root = process.env.BENCH_ENGINE_ROOT ?? fileURLToPath(new URL("../..", import.meta.url));

function tree(pid: number): Array<{ pid: number; cmd: string }> {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid=,args="], { encoding: "utf8" }).trim().split("\n");
  const all = rows.map((r) => r.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/)!).map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3] }));
  const out = [{ pid, cmd: all.find((p) => p.pid === pid)?.cmd ?? "" }];
  for (let i = 0; i < out.length; i++) for (const c of all.filter((p) => p.ppid === out[i].pid)) out.push(c);
  return out;
}

async function round(redisUrl: string, pgPort: number, database: string) {
  const port = await freePort();
  const env = {
    ...process.env,
    REDIS_URL: redisUrl,
    REDIS_QUEUE: `bench:footprint:${database}`,
    DATABASE_TYPE: "postgres",
    POSTGRES_HOST: "127.0.0.1",
    POSTGRES_PORT: String(pgPort),
    POSTGRES_DB: database,
    POSTGRES_USER: "postgres",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    ...benchKeyEnv,
  };
  const t0 = performance.now();
  const npm = spawn("npm", ["start"], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil("the engine", async () => (await fetch(`${url}/readyz`)).ok, { timeoutMs: 120_000, intervalMs: 20 });
  const startMs = performance.now() - t0;
  const batch = (i: number) =>
    JSON.stringify({
      events: Array.from({ length: 500 }, (_, k) => ({ event: "page_view", distinctId: `u${(i * 500 + k) % 5000}`, properties: { path: "/pricing", k } })),
    });
  for (let i = 0; i < events / 500; i += 4) {
    await Promise.all(
      [0, 1, 2, 3].map((j) =>
        fetch(`${url}/api/v1/batch`, { method: "POST", headers: { "content-type": "application/json", ...benchKeyHeaders }, body: batch(i + j) }).then((r) =>
          r.arrayBuffer(),
        ),
      ),
    );
  }
  await Promise.all(Array.from({ length: 8 }, () => fetch(`${url}/api/v1/analytics/all`, { headers: benchReadHeaders }).then((r) => r.arrayBuffer())));
  const procs = tree(npm.pid!);
  // The engine is the largest process npm started (with tsx, a loader process sits between them).
  const sizes = procs.map((p) => rssMb(p.pid));
  const result = { startMs, engineMb: Math.max(...sizes), treeMb: sizes.reduce((a, b) => a + b, 0), processes: procs.length };
  npm.kill("SIGTERM");
  await new Promise((r) => npm.once("exit", r));
  for (const p of procs) {
    try {
      process.kill(p.pid, "SIGKILL"); // an older npm start may leave its children behind
    } catch {}
  }
  return result;
}

async function main() {
  console.log(commandLine("bench/shared/footprint-bench.ts"));
  console.log(`machine: ${machineSummary()}; engine: ${root}`);
  const redis = await startLocalRedis();
  const postgres = await startLocalPostgres();
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  const results: Array<Awaited<ReturnType<typeof round>>> = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const database = `footprint_${Date.now().toString(36)}`;
      await admin.query(`CREATE DATABASE ${database}`);
      results.push(await round(redis.url, Number(new URL(postgres.url).port), database));
      console.error(`[footprint] round ${r + 1}: ${JSON.stringify(results.at(-1))}`);
    }
  } finally {
    await admin.end();
    await postgres.stop();
    await redis.stop();
  }
  const m = (f: (x: (typeof results)[number]) => number) => median(results.map(f)).toFixed(0);
  console.log(
    `start-up to /readyz: ${m((x) => x.startMs)} ms; RSS after ${events} events and 8 concurrent /all: engine ${m((x) => x.engineMb)} MB, all ${results[0].processes} processes npm started ${m((x) => x.treeMb)} MB (medians of ${rounds})`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
