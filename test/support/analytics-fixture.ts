import { randomUUID } from "node:crypto";

export interface FixtureEvent {
  uuid: string;
  event: string;
  distinctId: string;
  properties: Record<string, unknown>;
  /** Epoch ms, whole seconds (ClickHouse keeps seconds). */
  ts: number;
}

const hour = 3_600_000;
const day = 24 * hour;

/**
 * A small dataset with the hard cases: events either side of midnight and of
 * month ends (seen differently from UTC, New York and Kolkata), users active on
 * many days, an ordered funnel with drop-off and out-of-order steps, a skewed
 * feature mix, and events stamped up to a few hours ahead. Deterministic for a
 * given `now` (only uuids are random).
 */
export function buildFixture(now: number): FixtureEvent[] {
  const events: FixtureEvent[] = [];
  const at = (ms: number) => Math.floor(ms / 1000) * 1000;
  const add = (event: string, distinctId: string, ts: number, properties: Record<string, unknown> = {}) =>
    events.push({ uuid: randomUUID(), event, distinctId, properties, ts: at(ts) });
  const today = Math.floor(now / day) * day; // UTC midnight today
  const features = ["dashboard", "dashboard", "dashboard", "reports", "reports", "export", "search"];

  for (let u = 0; u < 30; u++) {
    const user = `user_${String(u).padStart(2, "0")}`;
    const joined = today - (u * 2 + 3) * day + (u % 24) * hour + 17_000;
    add("user_registered", user, joined, { plan: u % 3 ? "free" : "pro" });
    const activeDays = u < 5 ? 25 : u % 4; // a few users on many days
    for (let d = 1; d <= activeDays; d++) {
      const t = joined + d * day + ((u * 7 + d * 5) % 23) * hour;
      if (t > now) break;
      add("page_view", user, t, { path: d % 2 ? "/home" : "/pricing", returning: d > 3 });
      add("most_used_feature", user, t + 60_000, {
        feature: features[(u + d) % features.length],
        duration: d,
        // Numbers JavaScript writes with an exponent (jsonb does not), and nested values, which filters read as "".
        ...(d % 5 === 0 ? { ratio: 1e-7 * d, tags: ["a", "b"], meta: { feature: "nested" } } : {}),
      });
    }
    if (u % 3 === 0) add("payment_success", user, joined + (u % 2 ? 2 * day : 20 * day), { amount: 499, currency: "INR", coupon: u % 2 ? null : "WELCOME" });
    if (u % 7 === 1) add("payment_success", user, joined - hour, { amount: 99 }); // paid before registering
  }
  // Midnight and month edges, in UTC.
  const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
  for (const [i, t] of [monthStart - 1000, monthStart, monthStart + 4.5 * hour, monthStart - 5.5 * hour, today - 1000, today + 1000].entries()) {
    add("page_view", `edge_${i}`, t);
  }
  add("page_view", "early_bird", now + 3 * hour); // a little ahead: accepted as is
  return events.filter((e) => e.ts <= now + 4 * hour && e.ts >= Date.UTC(2000, 0, 1));
}
