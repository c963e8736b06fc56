import { DateTime, IANAZone } from "luxon";
import { InvalidInputError } from "../core/errors/domain-errors.js";
import type { TimeRange } from "./analytics-store.js";

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
/** Capture refuses timestamps before 2000 and more than a year ahead; "all time" is wider than both. */
const allTimeEndMs = Date.UTC(2100, 0, 1);

/** A valid IANA zone name, or InvalidInputError naming `tz`. Empty means UTC. */
export function validZone(tz: string): string {
  if (tz === "") return "UTC";
  if (tz.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(tz) || !IANAZone.isValidZone(tz)) {
    throw new InvalidInputError("tz", "is not an IANA time zone (e.g. Europe/Berlin)");
  }
  // Names match in any case here but not in ClickHouse: pass on the zone's own spelling ("utc" → "UTC"),
  // and an alias as it was asked for (Asia/Kolkata, not the ICU's older Asia/Calcutta).
  const canonical = new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  return canonical.toLowerCase() === tz.toLowerCase() ? canonical : tz;
}

function startOfDay(date: string, field: string, tz: string): DateTime {
  const d = isoDate.test(date) ? DateTime.fromISO(date, { zone: tz }) : DateTime.invalid("format");
  if (!d.isValid || d.year < 2000 || d.year > 9999) throw new InvalidInputError(field, "must be a date as YYYY-MM-DD");
  return d.startOf("day");
}

/**
 * The range a request asks for, in whole local days: `from`/`to` (inclusive
 * dates) when given, otherwise the last `count` units up to today (today
 * included). `unit` month counts calendar months.
 */
export function resolveRange(q: { tz: string; from: string; to: string; count?: number; unit?: "day" | "month" }, now = Date.now()): TimeRange {
  const tz = validZone(q.tz);
  const today = DateTime.fromMillis(now, { zone: tz }).startOf("day");
  // Unbounded questions (totals) also see events stamped up to a day ahead.
  // `.startOf("day")` after each step: where clocks skip midnight, that day starts at 01:00, and
  // "a day later" at 01:00 would overlap the next day's first hour.
  const end = q.to
    ? startOfDay(q.to, "to", tz).plus({ days: 1 }).startOf("day")
    : q.count === undefined && !q.from
      ? DateTime.fromMillis(allTimeEndMs, { zone: tz })
      : today.plus({ days: 1 }).startOf("day");
  let start: DateTime;
  if (q.from) start = startOfDay(q.from, "from", tz);
  else if (q.count === undefined) start = DateTime.fromISO("2000-01-01", { zone: tz });
  else if (q.unit === "month")
    start = end
      .minus({ days: 1 })
      .startOf("month")
      .minus({ months: q.count - 1 })
      .startOf("day");
  else start = end.minus({ days: q.count }).startOf("day");
  if (start >= end) throw new InvalidInputError("from", "must be on or before to");
  if (end.diff(start, "days").days > 36_600) throw new InvalidInputError("from", "the range is longer than 100 years");
  return { startMs: start.toMillis(), endMs: end.toMillis(), tz };
}

/** Every local day of the range, YYYY-MM-DD. */
export function daysOf(range: TimeRange): string[] {
  const out: string[] = [];
  for (let d = DateTime.fromMillis(range.startMs, { zone: range.tz }); d.toMillis() < range.endMs; d = d.plus({ days: 1 })) {
    out.push(d.toISODate()!);
  }
  return out;
}

/** Every local month touching the range, YYYY-MM. */
export function monthsOf(range: TimeRange): string[] {
  const out: string[] = [];
  for (let d = DateTime.fromMillis(range.startMs, { zone: range.tz }).startOf("month"); d.toMillis() < range.endMs; d = d.plus({ months: 1 })) {
    out.push(d.toFormat("yyyy-MM"));
  }
  return out;
}

/**
 * True when the zone's local days start on whole UTC hours throughout the
 * range: its offset, sampled at the range's ends and at each January and July
 * (standard and summer time), is a whole number of hours.
 */
export function daysStartOnWholeHours(range: TimeRange): boolean {
  if (range.tz === "UTC") return true;
  const whole = (ms: number) => DateTime.fromMillis(ms, { zone: range.tz }).offset % 60 === 0;
  if (!whole(range.startMs) || !whole(range.endMs - 1)) return false;
  const first = DateTime.fromMillis(range.startMs, { zone: "UTC" }).year;
  const last = DateTime.fromMillis(range.endMs, { zone: "UTC" }).year;
  for (let y = first; y <= last; y++) {
    if (!whole(Date.UTC(y, 0, 15)) || !whole(Date.UTC(y, 6, 15))) return false;
  }
  return true;
}
