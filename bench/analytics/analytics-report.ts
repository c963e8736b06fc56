import os from "node:os";
import { table } from "../shared/report.js";
import { type Latencies, percentile } from "./analytics-timing.js";

/** One line of the result table: a measured path next to its baseline, timed interleaved. */
export interface ResultRow {
  db: string;
  figure: string;
  /** REST request, or the raw scan. */
  measured: Latencies;
  /** The store called directly, or the rollup. */
  baseline: Latencies;
  /** REST / direct (lower is better) or raw / rollup (higher is better), on p50. */
  ratio: number;
  target: string;
  pass: boolean;
  note?: string;
}

const ms = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : "—");
const pp = (l: Latencies) => `${ms(l.p50)} / ${ms(l.p99)}`;

export function resultTable(rows: ResultRow[]): string {
  return table(
    ["DB", "Figure", "Measured p50 / p99 ms", "Baseline p50 / p99 ms", "Δp50 ms", "n", "Ratio (p50)", "Paired ratio", "Target", "Verdict"],
    rows.map((r) => [
      r.db,
      r.figure,
      pp(r.measured),
      pp(r.baseline),
      ms(r.measured.p50 - r.baseline.p50),
      String(Math.min(r.measured.samples.length, r.baseline.samples.length)),
      Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : "—",
      pairedRatio(r),
      r.target,
      r.pass ? "PASS" : "BELOW-TARGET",
    ]),
  );
}

/** Median of the per-pair ratios (each pair taken back to back): the noise-robust cross-check of the p50 ratio. */
function pairedRatio(r: ResultRow): string {
  const n = Math.min(r.measured.samples.length, r.baseline.samples.length);
  if (n === 0) return "—";
  const ratios = Array.from({ length: n }, (_, i) => r.measured.samples[i] / r.baseline.samples[i]);
  return `${percentile(ratios, 50).toFixed(2)}×`;
}

export function notes(rows: ResultRow[]): string[] {
  return rows.filter((r) => r.note).map((r) => `! ${r.db} ${r.figure}: ${r.note}`);
}

/** The command and the machine, as the first lines of the report. */
export function header(env: NodeJS.ProcessEnv): string[] {
  const knobs = Object.entries(env)
    .filter(([k]) => k.startsWith("BENCH_"))
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const cpus = os.cpus();
  return [
    `command: ${knobs ? `${knobs} ` : ""}npm run bench:analytics   (tsx bench/analytics/analytics-bench.ts)`,
    `machine: ${cpus[0]?.model ?? "?"}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, node ${process.version}`,
    `load average at start: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  ];
}
