import { DateTime } from "luxon";
import type { FixtureEvent } from "./analytics-fixture.js";

// Plain TypeScript answers from the raw fixture, written apart from the engine's SQL.
const localDate = (ts: number, tz: string) => DateTime.fromMillis(ts, { zone: tz }).toISODate()!;
const localMonth = (ts: number, tz: string) => DateTime.fromMillis(ts, { zone: tz }).toFormat("yyyy-MM");
const byteOrder = (a: string, b: string) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0);

export function dau(events: FixtureEvent[], now: number, days: number, tz: string) {
  const today = DateTime.fromMillis(now, { zone: tz }).startOf("day");
  return Array.from({ length: days }, (_, i) => {
    const date = today.minus({ days: days - 1 - i }).toISODate()!;
    return { date, users: String(new Set(events.filter((e) => localDate(e.ts, tz) === date).map((e) => e.distinctId)).size) };
  });
}

export function mau(events: FixtureEvent[], now: number, months: number, tz: string) {
  const month = DateTime.fromMillis(now, { zone: tz }).startOf("month");
  const end = DateTime.fromMillis(now, { zone: tz }).startOf("day").plus({ days: 1 }).toMillis();
  return Array.from({ length: months }, (_, i) => {
    const m = month.minus({ months: months - 1 - i }).toFormat("yyyy-MM");
    return { month: m, users: String(new Set(events.filter((e) => e.ts < end && localMonth(e.ts, tz) === m).map((e) => e.distinctId)).size) };
  });
}

export function totals(events: FixtureEvent[]) {
  return { totalUsers: String(new Set(events.map((e) => e.distinctId)).size), totalEvents: String(new Set(events.map((e) => e.uuid)).size) };
}

export function features(events: FixtureEvent[]) {
  const counts = new Map<string, number>();
  for (const e of events) if (e.event === "most_used_feature") counts.set(String(e.properties.feature), (counts.get(String(e.properties.feature)) ?? 0) + 1);
  const top = [...counts]
    .sort((a, b) => b[1] - a[1] || byteOrder(a[0], b[0]))
    .slice(0, 10)
    .map(([feature, count]) => ({ feature, count: String(count) }));
  return { feature: top[0].feature, count: top[0].count, top };
}

export function registeredToPaid(events: FixtureEvent[]) {
  const reg = new Set(events.filter((e) => e.event === "user_registered").map((e) => e.distinctId));
  const paid = new Set(events.filter((e) => e.event === "payment_success" && reg.has(e.distinctId)).map((e) => e.distinctId));
  return { registered: String(reg.size), paid: String(paid.size), conversionRate: reg.size ? paid.size / reg.size : 0 };
}

export function mostActive(events: FixtureEvent[], limit: number) {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.distinctId, (counts.get(e.distinctId) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || byteOrder(a[0], b[0]))
    .slice(0, limit)
    .map(([distinctId, n]) => ({ distinctId, events: String(n) }));
}

/** Users reaching each step: from any first-step event, each next step at or after the previous, within the window of the first. */
export function funnel(events: FixtureEvent[], steps: string[], windowMs: number) {
  const reached = new Array<number>(steps.length).fill(0);
  const users = new Set(events.map((e) => e.distinctId));
  for (const user of users) {
    const mine = events.filter((e) => e.distinctId === user).sort((a, b) => a.ts - b.ts);
    let best = 0;
    for (const start of mine.filter((e) => e.event === steps[0])) {
      let level = 1;
      let t = start.ts;
      for (let s = 1; s < steps.length; s++) {
        const next = mine.find((e) => e.event === steps[s] && e.ts >= t && e.ts <= start.ts + windowMs);
        if (!next) break;
        level++;
        t = next.ts;
      }
      best = Math.max(best, level);
    }
    for (let s = 0; s < best; s++) reached[s]++;
  }
  return reached;
}

/** Daily cohorts; periods that had not begun by `observedUntil` are left out (not yet observed, not 0). */
export function retentionByDay(events: FixtureEvent[], startEvent: string, periods: number, tz: string, observedUntil: number) {
  const first = new Map<string, number>();
  for (const e of events) if (e.event === startEvent) first.set(e.distinctId, Math.min(first.get(e.distinctId) ?? Infinity, e.ts));
  const cohorts = new Map<string, number[]>();
  for (const [user, ts] of first) {
    const cohort = DateTime.fromMillis(ts, { zone: tz }).startOf("day");
    const counts = cohorts.get(cohort.toISODate()!) ?? new Array<number>(periods + 1).fill(0);
    counts[0]++;
    for (let k = 1; k <= periods; k++) {
      const dayK = cohort.plus({ days: k }).toISODate();
      if (events.some((e) => e.distinctId === user && localDate(e.ts, tz) === dayK)) counts[k]++;
    }
    cohorts.set(cohort.toISODate()!, counts);
  }
  return [...cohorts]
    .sort((a, b) => byteOrder(a[0], b[0]))
    .map(([period, returning]) => {
      const begun = returning.filter((_, k) => DateTime.fromISO(period, { zone: tz }).plus({ days: k }).toMillis() < observedUntil);
      return { period, users: String(returning[0]), returning: begun.map(String) };
    });
}
