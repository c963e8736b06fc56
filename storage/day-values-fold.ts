import { bucketOfDay } from "../analytics/insights/insight-points.js";
import type { InsightRow, Interval } from "../analytics/insights/insight-query.js";
import { byteOrder } from "./byte-order.js";

/**
 * Events counted per day and breakdown value, as one-pass breakdowns read them: the `limit` values with
 * the most events (ties in byte order, as the databases sort), then each interval's count per kept value
 * and for the rest folded into one row (`kept: false`). Sums of counts are exact; only counts fold so.
 */
export function foldDayValues(rows: Array<{ day: string; value: string; n: number }>, interval: Exclude<Interval, "hour"> | "none", limit: number) {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.value, (totals.get(r.value) ?? 0) + r.n);
  const kept = [...totals.entries()]
    .sort((a, b) => b[1] - a[1] || byteOrder(a[0], b[0]))
    .slice(0, limit)
    .map(([v]) => v);
  const isKept = new Set(kept);
  const folded = new Map<string, InsightRow>();
  for (const r of rows) {
    const bucket = bucketOfDay(r.day, interval);
    const keep = isKept.has(r.value);
    const key = `${keep ? "k" : "o"}${bucket}\u0000${keep ? r.value : ""}`;
    const row = folded.get(key) ?? { bucket, value: keep ? r.value : "", kept: keep, n: 0, c: 0 };
    row.n += r.n;
    folded.set(key, row);
  }
  return { kept, rows: [...folded.values()] };
}
