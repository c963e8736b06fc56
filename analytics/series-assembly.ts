import { DateTime } from "luxon";
import type { DayCount, MonthCount, TimeRange } from "./analytics-store.js";
import { daysOf, monthsOf } from "./time-range.js";

/** One point per day of the range, zero where no event was seen. */
export function zeroFillDays(r: TimeRange, rows: DayCount[]): DayCount[] {
  const byDay = new Map(rows.map((x) => [x.date, x.users]));
  return daysOf(r).map((date) => ({ date, users: byDay.get(date) ?? 0 }));
}

export function zeroFillMonths(r: TimeRange, rows: MonthCount[]): MonthCount[] {
  const byMonth = new Map(rows.map((x) => [x.month, x.users]));
  return monthsOf(r).map((month) => ({ month, users: byMonth.get(month) ?? 0 }));
}

/**
 * Cohorts with one entry per period that has begun by `observedUntil` (the
 * range's end or now, whichever is first): a later period has not happened
 * yet, and a 0 there would read as nobody returning.
 */
export function assembleRetention(
  rows: Array<{ cohort: string; k: number; users: number }>,
  q: { periods: number; period: "day" | "week"; tz: string; observedUntil: number },
) {
  const { periods } = q;
  const cohorts = new Map<string, number[]>();
  for (const row of rows) {
    const counts = cohorts.get(row.cohort) ?? new Array<number>(periods + 1).fill(0);
    counts[row.k] = row.users;
    cohorts.set(row.cohort, counts);
  }
  return [...cohorts.keys()].sort().map((period) => {
    const start = DateTime.fromISO(period, { zone: q.tz });
    const begun = (k: number) => start.plus({ days: k * (q.period === "week" ? 7 : 1) }).toMillis() < q.observedUntil;
    let observed = 1;
    while (observed <= periods && begun(observed)) observed++;
    const returning = cohorts.get(period)!.slice(0, observed);
    return { period, users: returning[0], returning, rates: returning.map((n) => (returning[0] === 0 ? 0 : n / returning[0])) };
  });
}

/** Keeps the `top` values with the most events (ties by name), folds the rest into "other", one count per day. */
export function assembleTrend(r: TimeRange, rows: Array<{ date: string; value: string; count: number }>, top: number) {
  const dates = daysOf(r);
  const index = new Map(dates.map((d, i) => [d, i]));
  const totals = new Map<string, number>();
  for (const x of rows) totals.set(label(x.value), (totals.get(label(x.value)) ?? 0) + x.count);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = new Set(ranked.slice(0, top).map(([v]) => v));
  const series = new Map<string, number[]>();
  for (const x of rows) {
    const v = kept.has(label(x.value)) ? label(x.value) : "other";
    const counts = series.get(v) ?? new Array<number>(dates.length).fill(0);
    const i = index.get(x.date);
    if (i !== undefined) counts[i] += x.count;
    series.set(v, counts);
  }
  const order = [...ranked.slice(0, top).map(([v]) => v), ...(series.has("other") ? ["other"] : [])];
  return { dates, series: order.map((value) => ({ value, counts: series.get(value)!, total: series.get(value)!.reduce((a, b) => a + b, 0) })) };
}

function label(value: string): string {
  return value === "" ? "(none)" : value;
}
