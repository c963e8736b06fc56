import type { InsightRow, SeriesMath } from "./insight-query.js";

/**
 * A series' rows as chart lines: one per breakdown value (in the order the
 * store ranked them, then "other"), one value per point, 0 where nothing was
 * seen, and the aggregate over the range.
 */
export function shapeSeries(a: { rows: InsightRow[]; totals?: InsightRow[]; points: string[]; math: SeriesMath; label: string; breakdown?: string[] }) {
  const index = new Map(a.points.map((p, i) => [p, i]));
  const lines = linesOf(a.rows, a.breakdown);
  const totals = a.totals && linesOf(a.totals, a.breakdown);
  return lines.map(({ name, other, rows }) => {
    const values = new Array<number>(a.points.length).fill(0);
    for (const r of rows) {
      const i = index.get(r.bucket);
      if (i !== undefined) values[i] = a.math === "avg" ? (r.c === 0 ? 0 : r.n / r.c) : r.n;
    }
    return {
      label: a.label,
      math: a.math,
      breakdownValue: name,
      other,
      values,
      // Distinct users over the range come from their own rows; the rest follow from the intervals'.
      aggregate: a.math === "unique_users" ? (totals?.find((t) => t.name === name && t.other === other)?.rows[0]?.n ?? 0) : aggregate(a.math, rows),
    };
  });
}

/** Rows per line: no breakdown → one line; else each kept value that has rows, in the store's order, then "other". */
function linesOf(rows: InsightRow[], kept: string[] | undefined): Array<{ name: string; other: boolean; rows: InsightRow[] }> {
  if (!kept) return [{ name: "", other: false, rows }];
  const byValue = new Map<string, InsightRow[]>();
  const others: InsightRow[] = [];
  for (const r of rows) {
    if (!r.kept) others.push(r);
    else if (byValue.has(r.value)) byValue.get(r.value)!.push(r);
    else byValue.set(r.value, [r]);
  }
  const lines = kept.filter((v) => byValue.has(v)).map((v) => ({ name: v === "" ? "(none)" : v, other: false, rows: byValue.get(v)! }));
  return others.length > 0 ? [...lines, { name: "other", other: true, rows: others }] : lines;
}

function aggregate(math: SeriesMath, rows: InsightRow[]): number {
  if (rows.length === 0) return 0;
  if (math === "avg") {
    const count = rows.reduce((s, r) => s + r.c, 0);
    return count === 0 ? 0 : rows.reduce((s, r) => s + r.n, 0) / count;
  }
  if (math === "min") return Math.min(...rows.map((r) => r.n));
  if (math === "max") return Math.max(...rows.map((r) => r.n));
  return rows.reduce((s, r) => s + r.n, 0);
}
