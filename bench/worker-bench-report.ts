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
      notes: ts.flatMap((t) => [t.worker.note, t.ceiling.note].filter((n): n is string => !!n)),
    };
  });
  return per.sort((a, b) => b.worker - a.worker)[0];
}

export function trialLines(label: string, trials: readonly Trial[]): string[] {
  return trials.map((t) => {
    const cpu = (x: Timed) => `${x.cpuMicrosPerEvent.toFixed(1)} µs/ev, machine ${x.machineCores.toFixed(2)} cores`;
    const notes = [t.worker.note, t.ceiling.note].filter(Boolean).join("; ");
    return (
      `  ${label} batch ${String(t.batchSize).padStart(5)} round ${t.round}: worker ${fmtRate(t.worker.rate).padStart(9)} (${t.worker.seconds.toFixed(2)} s; ${cpu(t.worker)}) | ` +
      `ceiling ${fmtRate(t.ceiling.rate).padStart(9)} (${t.ceiling.seconds.toFixed(2)} s; ${cpu(t.ceiling)}) | ratio ${pct(t.worker.rate / t.ceiling.rate)}${notes ? ` ! ${notes}` : ""}` +
      (t.worker.anatomy ? `\n      worker time: ${t.worker.anatomy}` : "")
    );
  });
}

export const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export const resultHeader = ["Figure", "Measured (median [min–max])", "Compared with", "Value", "Ratio", "Target", "Verdict"];

/** A drain row: worker vs ceiling at the worker's best batch size. */
export function drainRow(figure: string, ceilingName: string, trials: readonly Trial[], target: number): string[] {
  if (trials.length === 0) return [figure, "not run", ceilingName, "—", "—", `≥ ${pct(target)}`, "BELOW-TARGET"];
  const b = best(trials);
  const ratio = b.worker / b.ceiling;
  const ok = ratio >= target && b.notes.length === 0;
  return [
    `${figure} (best: batch ${b.batchSize})`,
    b.workerText,
    `${ceilingName}, batch ${b.batchSize}`,
    b.ceilingText,
    `${pct(ratio)} (rounds: ${b.pairedRatios.map(pct).join(", ")})`,
    `≥ ${pct(target)}`,
    ok ? "PASS" : `BELOW-TARGET${b.notes.length ? " (incomplete: see notes)" : ""}`,
  ];
}
