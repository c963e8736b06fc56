/** Aggregation and the printed table of the worker bench. */
import type { Timed } from "./worker-bench-drain.js";

export interface Trial {
  batchSize: number;
  round: number;
  worker: Timed;
  ceiling: Timed;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const fmtRate = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)}k/s` : `${x.toFixed(0)}/s`);
const range = (xs: number[]) => (xs.length > 1 ? ` [${fmtRate(Math.min(...xs))}–${fmtRate(Math.max(...xs))}]` : "");

/** The batch size whose median worker rate is best, with its figures (every round measured side by side with its ceiling). */
export function best(trials: readonly Trial[]) {
  const sizes = [...new Set(trials.map((t) => t.batchSize))];
  const per = sizes.map((batchSize) => {
    const ts = trials.filter((t) => t.batchSize === batchSize);
    const w = ts.map((t) => t.worker.rate);
    const c = ts.map((t) => t.ceiling.rate);
    return {
      batchSize,
      worker: median(w),
      ceiling: median(c),
      workerText: `${fmtRate(median(w))}${range(w)}`,
      ceilingText: `${fmtRate(median(c))}${range(c)}`,
      pairedRatios: ts.map((t) => t.worker.rate / t.ceiling.rate),
      /** Ceiling's total CPU per event / worker's (all parties probed): the ratio a CPU-bound box allows. */
      cpuRatio: median(ts.map((t) => totalCpu(t.ceiling) / totalCpu(t.worker))),
      notes: ts.flatMap((t) => [t.worker.note, t.ceiling.note].filter((n): n is string => !!n)),
    };
  });
  return per.sort((a, b) => b.worker - a.worker)[0];
}

export const totalCpu = (t: Timed) => Object.values(t.cpu).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
const cpuText = (t: Timed) =>
  `${Object.entries(t.cpu)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(" + ")} = ${totalCpu(t).toFixed(1)} µs/ev, machine ${t.machineCores.toFixed(2)} cores busy`;

export function trialLines(label: string, trials: readonly Trial[]): string[] {
  return trials.map((t) => {
    const notes = [t.worker.note, t.ceiling.note].filter(Boolean).join("; ");
    return (
      `  ${label} batch ${t.batchSize} round ${t.round}: worker ${fmtRate(t.worker.rate)} in ${t.worker.seconds.toFixed(2)} s, ceiling ${fmtRate(t.ceiling.rate)} in ${t.ceiling.seconds.toFixed(2)} s: ` +
      `ratio ${pct(t.worker.rate / t.ceiling.rate)}, CPU-cost ratio ${pct(totalCpu(t.ceiling) / totalCpu(t.worker))}${notes ? ` ! ${notes}` : ""}\n` +
      `      CPU worker:  ${cpuText(t.worker)}\n      CPU ceiling: ${cpuText(t.ceiling)}` +
      (t.worker.anatomy ? `\n      worker wall time: ${t.worker.anatomy}` : "")
    );
  });
}

export const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export const resultHeader = [
  "Figure",
  "Measured (median [min–max])",
  "Compared with",
  "Value",
  "Ratio: median (per round)",
  "CPU-cost ratio",
  "Target",
  "Verdict",
];

/** A drain row: worker vs ceiling at the worker's best batch size. */
export function drainRow(figure: string, ceilingName: string, trials: readonly Trial[], target: number): string[] {
  if (trials.length === 0) return [figure, "not run", ceilingName, "—", "—", "—", `≥ ${pct(target)}`, "BELOW-TARGET"];
  const b = best(trials);
  // Median of the per-round ratios: each pair ran back to back, so a burst of outside load hits one pair, not the figure.
  const ratio = median(b.pairedRatios);
  const ok = ratio >= target && b.notes.length === 0;
  const noisy = b.pairedRatios.length > 1 && Math.max(...b.pairedRatios) / Math.min(...b.pairedRatios) > 1.5;
  return [
    `${figure} (best: batch ${b.batchSize})`,
    b.workerText,
    `${ceilingName}, batch ${b.batchSize}`,
    b.ceilingText,
    `${pct(ratio)} (${b.pairedRatios.map(pct).join(", ")})`,
    Number.isFinite(b.cpuRatio) ? pct(b.cpuRatio) : "—",
    `≥ ${pct(target)}`,
    `${ok ? "PASS" : "BELOW-TARGET"}${b.notes.length ? " (incomplete: see notes)" : noisy ? " (noisy rounds: rerun with more BENCH_ROUNDS)" : ""}`,
  ];
}
