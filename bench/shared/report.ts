import type { Summary } from "./measure.js";

export interface Row {
  figure: string;
  value: Summary;
  ceilingName: string;
  ceiling: Summary;
  /** "rate": higher is better (ratio = value / ceiling); "p99": lower is better (ratio = ceiling / value). */
  kind: "rate" | "p99";
  target: number;
}

const k = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
const spread = (s: Summary) => (s.rates.length > 1 ? ` [${k(Math.min(...s.rates))}–${k(Math.max(...s.rates))}]` : "");

function cells(row: Row): string[] {
  const isRate = row.kind === "rate";
  const v = isRate ? row.value.rate : (row.value.p99Ms ?? NaN);
  const c = isRate ? row.ceiling.rate : (row.ceiling.p99Ms ?? NaN);
  const ratio = isRate ? v / c : c / v;
  const fmt = (s: Summary, x: number) => (isRate ? `${k(x)}/s${spread(s)}` : `${x.toFixed(1)} ms`);
  const cpuRatio = (row.ceiling.workerMicrosPerUnit ?? NaN) / (row.value.workerMicrosPerUnit ?? NaN);
  return [
    row.figure,
    fmt(row.value, v),
    row.ceilingName,
    fmt(row.ceiling, c),
    `${(ratio * 100).toFixed(0)}%`,
    isRate && Number.isFinite(cpuRatio) ? `${(cpuRatio * 100).toFixed(0)}%` : "",
    `≥ ${(row.target * 100).toFixed(0)}%`,
    ratio >= row.target ? "PASS" : "BELOW-TARGET",
  ];
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export function resultsTable(rows: Row[]): string {
  return table(["Figure", "Measured (median [min–max])", "Ceiling", "Ceiling value", "Ratio", "CPU ratio", "Target", "Verdict"], rows.map(cells));
}

export interface CpuRow {
  phase: string;
  s: Summary;
  unit: string;
}

/** Where the CPU went in each phase: cores used by the process under test, the bench client, and Redis. */
export function cpuTable(rows: CpuRow[]): string {
  const c = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(2));
  return table(
    ["Phase", "Rate (median)", "Target proc cores", "Client cores", "Redis cores", "Other procs cores", "Worker CPU µs/unit"],
    rows.map(({ phase, s, unit }) => [
      phase,
      `${k(s.rate)} ${unit}/s`,
      c(s.cores.target),
      c(s.cores.client),
      c(s.cores.redis),
      c(Math.max(0, s.cores.machine - (s.cores.target ?? 0) - s.cores.client - s.cores.redis)),
      s.workerMicrosPerUnit === undefined ? "—" : `${s.workerMicrosPerUnit.toFixed(1)}${s.cores.target === undefined ? " (client)" : ""}`,
    ]),
  );
}

export function errorNotes(all: { phase: string; s: Summary }[]): string[] {
  return all.filter(({ s }) => s.errors > 0).map(({ phase, s }) => `! ${phase}: ${s.errors} failed/rejected (${s.firstError ?? "?"})`);
}
