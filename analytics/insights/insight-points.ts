import { DateTime } from "luxon";
import { InvalidInputError } from "../../core/errors/domain-errors.js";
import type { TimeRange } from "../analytics-store.js";
import type { Interval } from "./insight-query.js";

/** Chart points beyond this are more than a screen can draw, and an hourly decade is a mistake. */
const mostPoints = 5000;

/** The local start of the interval holding `t`, as the databases label their buckets. */
function intervalStart(t: DateTime, interval: Interval): DateTime {
  if (interval === "hour") return t.startOf("hour");
  if (interval === "week") return t.startOf("week"); // ISO weeks: Monday, as ClickHouse's toMonday and PostgreSQL's date_trunc
  if (interval === "month") return t.startOf("month");
  return t.startOf("day");
}

export function pointLabel(t: DateTime, interval: Interval): string {
  return interval === "hour" ? t.toFormat("yyyy-MM-dd'T'HH:00") : t.toISODate()!;
}

/**
 * Every interval touching the range, labelled by its local start, and how
 * many of them have begun by `now`. Hours are stepped in UTC and labelled
 * locally: a repeated local hour (clocks going back) is one label, as the
 * databases group it; a skipped one has none.
 */
export function pointsOf(range: TimeRange, interval: Interval, now: number): { points: string[]; observed: number } {
  const points: string[] = [];
  let observed = 0;
  const unit = interval === "hour" ? { hours: 1 } : interval === "week" ? { weeks: 1 } : interval === "month" ? { months: 1 } : { days: 1 };
  for (let t = intervalStart(DateTime.fromMillis(range.startMs, { zone: range.tz }), interval); t.toMillis() < range.endMs; ) {
    const label = pointLabel(t, interval);
    if (points[points.length - 1] !== label) {
      if (points.length === mostPoints) {
        throw new InvalidInputError("interval", `gives more than ${mostPoints} points for this range: choose a longer interval or a shorter range`);
      }
      points.push(label);
      if (t.toMillis() < now) observed = points.length;
    }
    // Days and longer restart at the local midnight after a clock change.
    t = interval === "hour" ? t.plus(unit) : intervalStart(t.plus(unit), interval);
  }
  return { points, observed };
}

/** The range of the same number of local days just before this one. */
export function previousRange(range: TimeRange): TimeRange {
  const start = DateTime.fromMillis(range.startMs, { zone: range.tz });
  const days = Math.round(DateTime.fromMillis(range.endMs, { zone: range.tz }).diff(start, "days").days);
  return { startMs: start.minus({ days }).startOf("day").toMillis(), endMs: range.startMs, tz: range.tz };
}

/** The range's first and last local dates, inclusive. */
export function rangeDates(range: TimeRange): { from: string; to: string } {
  return {
    from: DateTime.fromMillis(range.startMs, { zone: range.tz }).toISODate()!,
    to: DateTime.fromMillis(range.endMs - 1, { zone: range.tz }).toISODate()!,
  };
}

/** The label of the day/week/month bucket holding a local date (YYYY-MM-DD); "" over the whole range. */
export function bucketOfDay(day: string, interval: Exclude<Interval, "hour"> | "none"): string {
  return interval === "none" ? "" : pointLabel(intervalStart(DateTime.fromISO(day, { zone: "UTC" }), interval), interval);
}
