/**
 * Fault drills: each starts its own Redis (AOF, fsync always), database,
 * server and workers on loopback, puts a steady capture load on them, breaks
 * one part, and reports what the clients were told and what was stored.
 *   npm run drills
 * Env: DRILLS (every one: worker-kills,redis-restart,cluster-master-restart,cluster-master-failover,postgres-down,clickhouse-down,
 *      clickhouse-shard-down,embedded-disk-full,server-kill)
 *      DRILL_OUTAGE_SECONDS (30) DRILL_RATE (500 events/s)
 * Each drill: 3 s of load, the fault, then until everything acknowledged is stored (2 min at most) and 2 s more load.
 * Bounded: every wait has a limit, and a drill that overruns is reported as such; the suite stops by itself.
 */
import os from "node:os";
import { sleep } from "../../core/backoff.js";
import { table } from "../shared/report.js";
import { embeddedDiskFull } from "./disk-full-drill.js";
import { startDrillLoad } from "./drill-load.js";
import { type DrillDatabase, type DrillQueue, type DrillRig, drillSettings, openDrillRig } from "./drill-rig.js";

const outageMs = Number(process.env.DRILL_OUTAGE_SECONDS ?? 30) * 1000;
const rate = Number(process.env.DRILL_RATE ?? 500);
const log = (msg: string) => console.error(`[drills ${new Date().toISOString().slice(11, 19)}] ${msg}`);

interface Drill {
  name: string;
  /** A drill with a world of its own (not the rig's Redis, database, server and workers). */
  own?: (rate: number, log: (msg: string) => void) => Promise<Omit<Figures, "drill" | "stored">>;
  database: DrillDatabase;
  workers: number;
  queue?: DrillQueue;
  /** Breaks something while the load runs; resolves when the broken part is back (the time recovery counts from). */
  fault(rig: DrillRig): Promise<void>;
}

/** SIGKILLs the part, and starts it again on its files `ms` later. */
const crashed = (part: (rig: DrillRig) => { kill(): Promise<void>; restart(): Promise<void> }, ms: number) => async (rig: DrillRig) => {
  await part(rig).kill();
  await sleep(ms);
  await part(rig).restart();
};

const drills: Record<string, Drill> = {
  "worker-kills": {
    name: "worker SIGKILL ×10 under load",
    database: "postgres",
    workers: 2,
    async fault(rig) {
      for (let i = 0; i < 10; i++) {
        if (i > 0) await sleep(1500);
        const victim = rig.workers.shift()!;
        victim.child.kill("SIGKILL");
        await victim.exited;
        await rig.startWorker();
      }
    },
  },
  "redis-restart": {
    name: "Redis SIGKILLed, restarted after 5 s (AOF)",
    database: "postgres",
    workers: 2,
    fault: crashed((rig) => rig.redis, 5000),
  },
  "cluster-master-restart": {
    name: "Redis Cluster master SIGKILLed, restarted after 5 s (AOF)",
    database: "postgres",
    workers: 2,
    queue: "redis-cluster",
    fault: crashed((rig) => rig.redis, 5000),
  },
  "cluster-master-failover": {
    name: "Redis Cluster master SIGKILLed, its replica promoted (REDIS_WAIT_REPLICAS=1)",
    database: "postgres",
    workers: 2,
    queue: "redis-cluster-replicated",
    fault: crashed((rig) => rig.redis, 0),
  },
  "postgres-down": {
    name: `PostgreSQL SIGKILLed, down ${outageMs / 1000} s`,
    database: "postgres",
    workers: 2,
    fault: crashed((rig) => rig.database, outageMs),
  },
  "clickhouse-down": {
    name: `ClickHouse SIGKILLed, down ${outageMs / 1000} s`,
    database: "clickhouse",
    workers: 2,
    fault: crashed((rig) => rig.database, outageMs),
  },
  "clickhouse-shard-down": {
    name: `a ClickHouse shard (of 2) SIGKILLed, down ${outageMs / 1000} s`,
    database: "clickhouse-cluster",
    workers: 2,
    fault: crashed((rig) => rig.database, outageMs),
  },
  "embedded-disk-full": {
    name: "the embedded engine's DATA_DIR disk full, then room again",
    database: "postgres",
    workers: 0,
    own: embeddedDiskFull,
    fault: async () => undefined,
  },
  "server-kill": {
    name: "server SIGKILLed mid-batch, restarted",
    database: "postgres",
    workers: 2,
    async fault(rig) {
      rig.server().child.kill("SIGKILL");
      await rig.server().exited;
      await rig.restartServer();
    },
  },
};

interface Figures {
  drill: string;
  acknowledged: number;
  refused: number;
  stored: number;
  lost: number;
  doubled: number;
  recoverySeconds: number | undefined;
  /** From the fault's start until a request sent after it was acknowledged. */
  captureGapSeconds: number | undefined;
  /** Why the drill proves nothing or failed, if it did. */
  problem?: string;
}

const results: Figures[] = [];
/** The drill running now, closed if the suite runs over its budget. */
let current: DrillRig | undefined;

async function run(key: string, drill: Drill): Promise<Figures> {
  if (drill.own) {
    log(`${drill.name}: starting`);
    const f = await drill.own(rate, (msg) => log(`${drill.name}: ${msg}`));
    log(`${drill.name}: ${f.acknowledged} acknowledged, ${f.lost} lost, ${f.doubled} doubled, recovered in ${f.recoverySeconds ?? "> 120"} s`);
    return { drill: `${key}: ${drill.name}`, ...f, stored: f.acknowledged - f.lost };
  }
  log(`${drill.name}: starting ${drill.database}, Redis, the server and ${drill.workers} workers`);
  const rig = await openDrillRig(drill.database, drill.workers, drill.queue);
  current = rig;
  const load = startDrillLoad(rig.url, rate);
  try {
    await load.runFor(3000);
    const broken = Date.now();
    await drill.fault(rig);
    const back = Date.now();
    // Recovery: everything acknowledged until the part came back is stored (the load goes on meanwhile).
    const before = new Set(load.acknowledged);
    const recovered = await rig.waitStored(before, 120_000);
    const recoverySeconds = [...before].every((u) => recovered.uuids.has(u)) ? (Date.now() - back) / 1000 : undefined;
    await load.runFor(2000);
    await load.stop();
    const stored = await rig.waitStored(load.acknowledged, 60_000);
    const lost = [...load.acknowledged].filter((u) => !stored.uuids.has(u)).length;
    const againAt = load.acknowledgedAgainAt(broken + 1);
    const figures: Figures = {
      drill: `${key}: ${drill.name}`,
      acknowledged: load.acknowledged.size,
      refused: load.refused(),
      stored: load.acknowledged.size - lost,
      lost,
      doubled: stored.doubled,
      recoverySeconds,
      captureGapSeconds: againAt === undefined ? undefined : (againAt - broken) / 1000,
    };
    if (figures.acknowledged === 0) figures.problem = "nothing was acknowledged: the drill proves nothing";
    else if (againAt === undefined) figures.problem = "capture never answered again after the fault";
    log(`${drill.name}: ${figures.acknowledged} acknowledged, ${lost} lost, ${figures.doubled} doubled, recovered in ${recoverySeconds ?? "> 120"} s`);
    return figures;
  } finally {
    await load.stop();
    await rig.close();
    current = undefined;
  }
}

function report(): void {
  console.log(
    table(
      ["Drill", "Acknowledged", "Refused (503, cut off)", "Stored", "Lost", "Doubled", "Capture answered again", "Recovered in", "Problem"],
      results.map((r) => [
        r.drill,
        String(r.acknowledged),
        String(r.refused),
        String(r.stored),
        String(r.lost),
        String(r.doubled),
        r.captureGapSeconds === undefined ? "never" : `${r.captureGapSeconds.toFixed(1)} s`,
        r.recoverySeconds === undefined ? "> 120 s" : `${r.recoverySeconds.toFixed(1)} s`,
        r.problem ?? "",
      ]),
    ),
  );
  console.log("Capture answered again: from the fault until a request sent after it was acknowledged.");
  console.log("Recovered in: from the broken part being back until every event acknowledged so far is stored.");
  console.log("Doubled: the analytics API's total-events less the distinct events stored (what a query would count twice).");
}

async function main() {
  const wanted = (process.env.DRILLS ?? Object.keys(drills).join(",")).split(",").map((s) => s.trim());
  const unknown = wanted.filter((w) => !(w in drills));
  if (unknown.length) throw new Error(`DRILLS: unknown ${unknown.join(", ")} (known: ${Object.keys(drills).join(", ")})`);
  const cpu = os.cpus();
  console.log(`command: DRILLS=${wanted.join(",")} DRILL_OUTAGE_SECONDS=${outageMs / 1000} DRILL_RATE=${rate} npm run drills`);
  console.log(`machine: ${cpu[0]?.model ?? "?"}, ${cpu.length} cores, node ${process.version}; settings: ${JSON.stringify(drillSettings)}`);
  for (const key of wanted) {
    const drill = drills[key];
    results.push(
      await run(key, drill).catch((e: unknown): Figures => {
        log(`${drill.name}: ${(e as Error).message}`);
        const none = { acknowledged: 0, refused: 0, stored: 0, lost: 0, doubled: 0, recoverySeconds: undefined, captureGapSeconds: undefined };
        return { drill: `${key}: ${drill.name}`, ...none, problem: `failed: ${(e as Error).message.split("\n")[0]}` };
      }),
    );
  }
  report();
  const failed = results.filter((r) => r.problem || r.lost > 0 || r.doubled !== 0 || r.recoverySeconds === undefined);
  process.exit(failed.length ? 1 : 0);
}

// The whole suite is bounded too: five drills with their outages, service start-ups and waits.
setTimeout(() => {
  console.error("drills: over their time budget (25 min); stopping with the drills done so far");
  report();
  const closing = current?.close() ?? Promise.resolve();
  void Promise.race([closing, sleep(30_000)]).finally(() => process.exit(1));
}, 25 * 60_000).unref();

main().catch((e: unknown) => {
  console.error(`drills: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
