/**
 * Capture into the zero-configuration engine (in-process queue, embedded
 * PGlite, the worker in the same process), as `npm start` runs it with
 * nothing configured: REST single events and 200-event batches, acknowledged
 * req/s and events/s, p99, and the server's RSS at the end.
 *   npx tsx bench/capture/embedded-capture-bench.ts
 * Env: BENCH_SECONDS (10) BENCH_ROUNDS (3) BENCH_CONNECTIONS (50)
 *      BENCH_ENGINE_ROOT (this repository) and BENCH_ENGINE_ENTRY (main/server-main.ts):
 *      another checkout's engine, to measure a before and an after on one machine.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../test/support/ports.js";
import { waitUntil } from "../../test/support/wait.js";
import { commandLine, machineSummary } from "../shared/bench-header.js";
import { benchKeyEnv } from "../shared/bench-keys.js";
import { median } from "../shared/measure.js";
import { rssMb } from "../shared/proc-stats.js";
import { table } from "../shared/report.js";
import { sampleEvent } from "./bench-config.js";
import { restLoad } from "./rest-load.js";

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const seconds = num("BENCH_SECONDS", 10);
const rounds = num("BENCH_ROUNDS", 3);
const connections = num("BENCH_CONNECTIONS", 50);
const root = process.env.BENCH_ENGINE_ROOT ?? fileURLToPath(new URL("../..", import.meta.url));
const entry = process.env.BENCH_ENGINE_ENTRY ?? "main/server-main.ts";

async function main() {
  console.log(commandLine("bench/capture/embedded-capture-bench.ts"));
  console.log(`machine: ${machineSummary()}; engine: ${root} ${entry}`);
  const dataDir = mkdtempSync(join(tmpdir(), "insightplus-bench-embedded-"));
  const port = await freePort();
  const env = {
    ...process.env,
    REDIS_URL: "",
    DATABASE_TYPE: "",
    CLICKHOUSE_HOST: "",
    POSTGRES_HOST: "",
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    ...benchKeyEnv,
  };
  const child = spawn(process.execPath, ["--import", "tsx", entry], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil("the engine", async () => (await fetch(`${url}/readyz`)).ok, { timeoutMs: 120_000 });
    const single = JSON.stringify(sampleEvent);
    const batch = JSON.stringify({ events: Array.from({ length: 200 }, (_, i) => ({ ...sampleEvent, distinctId: `u${i}` })) });
    const results: Record<string, { rate: number[]; p99: number[] }> = {
      "REST single (req/s)": { rate: [], p99: [] },
      "REST batch 200 (events/s)": { rate: [], p99: [] },
    };
    await restLoad(`${url}/api/v1/capture`, { body: single, connections, seconds: 2 }); // warm-up
    for (let r = 0; r < rounds; r++) {
      const s = await restLoad(`${url}/api/v1/capture`, { body: single, connections, seconds });
      results["REST single (req/s)"].rate.push(s.units / s.seconds);
      results["REST single (req/s)"].p99.push(s.p99Ms ?? 0);
      const b = await restLoad(`${url}/api/v1/batch`, { body: batch, connections: 8, seconds, eventsPerRequest: 200 });
      results["REST batch 200 (events/s)"].rate.push(b.units / b.seconds);
      results["REST batch 200 (events/s)"].p99.push(b.p99Ms ?? 0);
      console.error(
        `[embedded-bench] round ${r + 1}: single ${Math.round(s.units / s.seconds)}/s (${s.errors} errors), batch ${Math.round(b.units / b.seconds)} ev/s (${b.errors} errors)`,
      );
    }
    const serverMb = rssMb(child.pid!);
    console.log(
      table(
        ["figure", "median [min–max]", "p99 ms (median)"],
        Object.entries(results).map(([name, x]) => [
          name,
          `${Math.round(median(x.rate))} [${Math.round(Math.min(...x.rate))}–${Math.round(Math.max(...x.rate))}]`,
          String(median(x.p99)),
        ]),
      ),
    );
    console.log(`server RSS after the load: ${serverMb.toFixed(0)} MB`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
