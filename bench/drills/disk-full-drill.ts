/**
 * The embedded engine (`npm start` with nothing configured: the in-process queue and PGlite in DATA_DIR)
 * with its DATA_DIR on a disk that fills up under load, then gets room again. A small disk is a tmpfs
 * mounted here (root only; otherwise the drill says it could not run). Reported as the other drills are.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "../../core/backoff.js";
import { createPgliteSqlClient } from "../../storage/postgres/pglite-sql-client.js";
import { spawnServerProcess } from "../../test/support/server/entry-process.js";
import { waitUntil } from "../../test/support/wait.js";
import { benchKeyEnv } from "../shared/bench-keys.js";
import { startDrillLoad } from "./drill-load.js";
import { todaysTotalEvents } from "./drill-rig.js";

export interface DiskFullFigures {
  acknowledged: number;
  refused: number;
  lost: number;
  doubled: number;
  recoverySeconds: number | undefined;
  captureGapSeconds: number | undefined;
  problem?: string;
}

const mb = 1024 * 1024;
const usedBytes = (dir: string) => {
  const s = statfsSync(dir);
  return (s.blocks - s.bfree) * s.bsize;
};
const mount = (dir: string, options: string) => execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "ignore" });
const remount = (dir: string, size: number) => execFileSync("mount", ["-o", `remount,size=${size}`, dir], { stdio: "ignore" });

export async function embeddedDiskFull(rate: number, log: (msg: string) => void): Promise<DiskFullFigures> {
  const none = { acknowledged: 0, refused: 0, lost: 0, doubled: 0, recoverySeconds: undefined, captureGapSeconds: undefined };
  const dir = mkdtempSync(join(tmpdir(), "insightplus-disk-full-"));
  try {
    mount(dir, `size=${1024 * mb}`);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return { ...none, problem: "not run: a small disk is a tmpfs mount, which needs root" };
  }
  const env = { ...benchKeyEnv, DATA_DIR: dir, INPROCESS_WORKER: "true", LOG_LEVEL: "warn", RATE_LIMIT_PER_ADDRESS: "0", RATE_LIMIT_PER_KEY: "0" };
  const server = await spawnServerProcess({ ...env, REDIS_URL: "", REDIS_CLUSTER_NODES: "", DATABASE_TYPE: "", CLICKHOUSE_HOST: "", POSTGRES_HOST: "" });
  const load = startDrillLoad(() => server.url, rate);
  const totalEvents = () => todaysTotalEvents(server.url);
  try {
    await load.runFor(3000);
    // The disk shrinks to what is used plus 8 MB: full within seconds at this rate.
    remount(dir, usedBytes(dir) + 8 * mb);
    const full = Date.now();
    log(`disk full: DATA_DIR given ${((usedBytes(dir) + 8 * mb) / mb).toFixed(0)} MB`);
    const refusedBefore = load.refused();
    await waitUntil("capture to refuse on the full disk", async () => load.refused() > refusedBefore, { timeoutMs: 60_000, intervalMs: 200 }).catch(
      () => undefined,
    );
    const refusing = load.refused() > refusedBefore;
    await load.runFor(5000);
    remount(dir, 1024 * mb);
    const back = Date.now();
    log(`room again after ${((back - full) / 1000).toFixed(1)} s (capture ${refusing ? "refused" : "never refused"} meanwhile)`);
    const before = load.acknowledged.size;
    let recoverySeconds: number | undefined;
    try {
      await waitUntil("everything acknowledged stored", async () => ((await totalEvents().catch(() => undefined)) ?? 0) >= before, {
        timeoutMs: 120_000,
        intervalMs: 250,
      });
      recoverySeconds = (Date.now() - back) / 1000;
    } catch {
      recoverySeconds = undefined;
    }
    await load.runFor(2000);
    await load.stop();
    await waitUntil("the last events stored", async () => ((await totalEvents().catch(() => undefined)) ?? 0) >= load.acknowledged.size, {
      timeoutMs: 60_000,
    }).catch(() => undefined);
    const counted = (await totalEvents().catch(() => undefined)) ?? 0;
    const againAt = load.acknowledgedAgainAt(full + 1);
    server.child.kill("SIGTERM");
    await server.exited;
    // PGlite takes one process at a time: read what it holds once the engine has stopped.
    const db = await createPgliteSqlClient(dir);
    const stored = new Set((await db.query<{ uuid: string }>("SELECT uuid::text AS uuid FROM events")).map((r) => r.uuid));
    await db.close();
    const lost = [...load.acknowledged].filter((u) => !stored.has(u)).length;
    const figures: DiskFullFigures = {
      acknowledged: load.acknowledged.size,
      refused: load.refused(),
      lost,
      doubled: counted - stored.size,
      recoverySeconds,
      captureGapSeconds: againAt === undefined ? undefined : (againAt - full) / 1000,
    };
    if (!refusing) figures.problem = "capture never refused while the disk was full: the drill did not fill it";
    else if (againAt === undefined) figures.problem = "capture never answered again after the disk had room";
    return figures;
  } finally {
    await load.stop();
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
    await sleep(100);
    try {
      execFileSync("umount", [dir], { stdio: "ignore" });
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
