/**
 * Soak: steady capture load for a long time on the real processes (server and
 * two workers, their own Redis with AOF and database), sampling the server's
 * and workers' resident memory and the queue's length. Growth is judged by
 * comparing the last third of the run with the middle third (the first third
 * is warm-up: caches, JIT, pools), so the verdict holds whatever the length:
 * over 10% more resident memory, a backlog over 10 s of load, or an event
 * lost or counted twice fails it (exit 1).
 *   npm run bench:soak
 * Env: SOAK_MINUTES (30) SOAK_RATE (1000 events/s) SOAK_SAMPLE_SECONDS (10) SOAK_DATABASE (clickhouse | postgres)
 */
import os from "node:os";
import { startDrillLoad } from "../drills/drill-load.js";
import { type DrillDatabase, openDrillRig } from "../drills/drill-rig.js";
import { rssMb } from "../shared/proc-stats.js";
import { table } from "../shared/report.js";

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const rate = Number(process.env.SOAK_RATE ?? 1000);
const everyMs = Number(process.env.SOAK_SAMPLE_SECONDS ?? 10) * 1000;
const database = (process.env.SOAK_DATABASE ?? "clickhouse") as DrillDatabase;

interface Sample {
  at: number;
  server: number;
  workers: number[];
  /** Entries not yet acknowledged by a worker. */
  backlog: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main() {
  const cpu = os.cpus();
  console.log(`command: SOAK_MINUTES=${minutes} SOAK_RATE=${rate} SOAK_DATABASE=${database} npm run bench:soak`);
  console.log(`machine: ${cpu[0]?.model ?? "?"}, ${cpu.length} cores, node ${process.version}`);
  const rig = await openDrillRig(database, 2);
  const load = startDrillLoad(rig.url, rate);
  const samples: Sample[] = [];
  const started = Date.now();
  let lost = 0;
  let doubled = 0;
  try {
    while (Date.now() - started < minutes * 60_000) {
      await new Promise((r) => setTimeout(r, everyMs));
      const s: Sample = {
        at: (Date.now() - started) / 1000,
        server: rssMb(rig.server().child.pid!),
        workers: rig.workers.map((w) => rssMb(w.child.pid!)),
        backlog: await rig.backlog(),
      };
      samples.push(s);
      console.error(
        `[soak ${Math.round(s.at)} s] server ${s.server.toFixed(0)} MB, workers ${s.workers.map((w) => w.toFixed(0)).join(" / ")} MB, backlog ${s.backlog}`,
      );
    }
    await load.stop();
    const stored = await rig.waitStored(load.acknowledged, 60_000);
    lost = [...load.acknowledged].filter((u) => !stored.uuids.has(u)).length;
    doubled = stored.doubled;
  } finally {
    await load.stop();
    await rig.close();
  }
  if (samples.length < 3) throw new Error(`only ${samples.length} samples: run longer (SOAK_MINUTES) or sample more often (SOAK_SAMPLE_SECONDS)`);

  const third = Math.floor(samples.length / 3);
  const middle = samples.slice(third, 2 * third);
  const last = samples.slice(2 * third);
  const rss: Array<[string, (s: Sample) => number]> = [
    ["server RSS (MB)", (s) => s.server],
    ...samples[0].workers.map((_, i): [string, (s: Sample) => number] => [`worker ${i + 1} RSS (MB)`, (s) => s.workers[i]]),
  ];
  const growth = (pick: (s: Sample) => number) => (mean(last.map(pick)) - mean(middle.map(pick))) / mean(middle.map(pick));
  const row = (name: string, pick: (s: Sample) => number, change: string) => [
    name,
    pick(samples[0]).toFixed(0),
    mean(middle.map(pick)).toFixed(0),
    mean(last.map(pick)).toFixed(0),
    Math.max(...samples.map(pick)).toFixed(0),
    change,
  ];
  const maxBacklog = Math.max(...samples.map((s) => s.backlog));
  console.log(
    table(
      ["Figure", "first sample", "middle third (mean)", "last third (mean)", "max", "last vs middle third"],
      [
        ...rss.map(([name, pick]) => row(name, pick, `${(growth(pick) * 100).toFixed(1)}%`)),
        row("backlog (pending + lag)", (s) => s.backlog, `max ${(maxBacklog / rate).toFixed(1)} s of load`),
      ],
    ),
  );
  console.log(
    `${load.acknowledged.size} events acknowledged over ${minutes} min: ${lost} not stored at the end, ${doubled} counted twice, ${load.refused()} refused.`,
  );
  // Verdict: memory that keeps growing past warm-up, a backlog the workers do not keep up with, or a lost event.
  const grows = rss.filter(([, pick]) => growth(pick) > 0.1).map(([name]) => name);
  const problems = [
    ...grows.map((name) => `${name} grew over 10% from the middle to the last third`),
    ...(maxBacklog > rate * 10 ? [`the backlog reached ${maxBacklog} entries (over 10 s of load)`] : []),
    ...(lost > 0 || doubled !== 0 ? [`${lost} lost, ${doubled} doubled`] : []),
  ];
  console.log(problems.length ? `FAIL: ${problems.join("; ")}` : "PASS: no growth, the backlog bounded, nothing lost or doubled");
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`soak: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
