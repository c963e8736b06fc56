import { DateTime } from "luxon";
import type { FixtureEvent } from "./analytics-fixture.js";

// The trends insight computed in plain TypeScript from the raw fixture, written apart from the engine's SQL.
export interface Filter {
  property: string;
  operator: string;
  value: string;
}
export interface Series {
  event: string;
  math: string;
  mathProperty?: string;
  filters?: Filter[];
}

function textOf(e: FixtureEvent, key: string): string {
  const v = e.properties[key];
  if (v === undefined || v === null || typeof v === "object") return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function numberOf(e: FixtureEvent, key: string): number | undefined {
  const v = e.properties[key];
  return typeof v === "number" ? v : undefined;
}

export function holds(e: FixtureEvent, f: Filter): boolean {
  const text = textOf(e, f.property);
  const n = numberOf(e, f.property);
  switch (f.operator) {
    case "equals":
      return text === f.value || (n !== undefined && f.value.trim() !== "" && n === Number(f.value));
    case "not_equals":
      return !holds(e, { ...f, operator: "equals" });
    case "contains":
      return text.toLowerCase().includes(f.value.toLowerCase());
    case "is_set":
      return e.properties[f.property] !== undefined && e.properties[f.property] !== null;
    case "is_not_set":
      return e.properties[f.property] === undefined || e.properties[f.property] === null;
    case "gt":
      return n !== undefined && n > Number(f.value);
    case "lt":
      return n !== undefined && n < Number(f.value);
  }
  throw new Error(`unknown operator ${f.operator}`);
}

export function bucketOf(ts: number, interval: string, tz: string): string {
  const t = DateTime.fromMillis(ts, { zone: tz });
  if (interval === "hour") return t.toFormat("yyyy-MM-dd'T'HH:00");
  if (interval === "week") return t.minus({ days: t.weekday - 1 }).toISODate()!;
  if (interval === "month") return t.toFormat("yyyy-MM-01");
  return t.toISODate()!;
}

function mathOf(events: FixtureEvent[], s: Series): number {
  if (s.math === "total") return new Set(events.map((e) => e.uuid)).size;
  if (s.math === "unique_users") return new Set(events.map((e) => e.distinctId)).size;
  const numbers = [...new Map(events.map((e) => [e.uuid, numberOf(e, s.mathProperty!)])).values()].filter((n): n is number => n !== undefined);
  if (numbers.length === 0) return 0;
  if (s.math === "sum") return numbers.reduce((a, b) => a + b, 0);
  if (s.math === "avg") return numbers.reduce((a, b) => a + b, 0) / numbers.length;
  if (s.math === "min") return Math.min(...numbers);
  return Math.max(...numbers);
}

/**
 * One series over [start, end): per bucket and breakdown value, and over the range.
 * `breakdown`: a property key, "$event" for the event name, or undefined.
 */
export function trendLines(
  all: FixtureEvent[],
  s: Series,
  q: { start: number; end: number; tz: string; interval: string; filters?: Filter[]; breakdown?: string; limit?: number },
) {
  const filters = [...(q.filters ?? []), ...(s.filters ?? [])];
  const mathable = (e: FixtureEvent) => !["sum", "avg", "min", "max"].includes(s.math) || numberOf(e, s.mathProperty!) !== undefined;
  const events = all.filter(
    (e) => e.ts >= q.start && e.ts < q.end && (s.event === "" || e.event === s.event) && filters.every((f) => holds(e, f)) && mathable(e),
  );
  const breakdownOf = (e: FixtureEvent) => (q.breakdown === undefined ? "" : q.breakdown === "$event" ? e.event : textOf(e, q.breakdown));
  const byValue = new Map<string, FixtureEvent[]>();
  for (const e of events) byValue.set(breakdownOf(e), [...(byValue.get(breakdownOf(e)) ?? []), e]);
  const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const ranked = [...byValue.entries()].map(([v, es]) => [v, mathOf(es, s)] as const).sort((a, b) => b[1] - a[1] || byteOrder(a[0], b[0]));
  const kept = q.breakdown === undefined ? [""] : ranked.slice(0, q.limit ?? 10).map(([v]) => v);
  const groups: Array<[string, FixtureEvent[]]> = kept.map((v) => [q.breakdown === undefined ? "" : v === "" ? "(none)" : v, byValue.get(v) ?? []]);
  const rest = events.filter((e) => !kept.includes(breakdownOf(e)));
  if (q.breakdown !== undefined && rest.length > 0) groups.push(["other", rest]);
  return groups.map(([breakdownValue, es]) => {
    const buckets = new Map<string, FixtureEvent[]>();
    for (const e of es) {
      const b = bucketOf(e.ts, q.interval, q.tz);
      buckets.set(b, [...(buckets.get(b) ?? []), e]);
    }
    return {
      breakdownValue,
      byPoint: new Map([...buckets].map(([b, x]) => [b, mathOf(x, s)])),
      aggregate: mathOf(es, s),
    };
  });
}
