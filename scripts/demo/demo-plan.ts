import { apportion, createRng, type Rng } from "./random.js";

export const dayMs = 86_400_000;

/** UTC hour-of-day activity: quiet nights, a morning and an afternoon peak. */
const hourWeights = [0.2, 0.15, 0.1, 0.08, 0.08, 0.12, 0.25, 0.45, 0.75, 0.95, 1, 0.95, 0.85, 0.9, 1, 1, 0.95, 0.85, 0.7, 0.6, 0.55, 0.5, 0.4, 0.3];
/** Saturdays and Sundays see this share of a weekday's returning traffic. */
const weekendFactor = 0.55;
/** New users on the last day relative to the first (growth). */
const growth = 4;
/** Sizing estimates; the generator corrects any difference day by day. */
const eventsPerUser = 45;
const firstSessionEvents = 7;

/** Who the synthetic users are and how many events each day should hold. */
export interface DemoPlan {
  startMs: number;
  endMs: number;
  days: number;
  events: number;
  users: number;
  /** Day each user signs up; ascending with the user index. */
  signupDay: Int32Array;
  /** Start of each user's first session (where they register). */
  signupMs: Float64Array;
  /** How often the user comes back: power law, a few users are very active. */
  activity: Float64Array;
  /** Last day the user still comes back (churn). */
  lastDay: Int32Array;
  /** Whether the user pays at some point (about 30% of those who come back). */
  payer: Uint8Array;
  /** Index of the first user signing up on day d; entry `days` is `users`. */
  firstUserOfDay: Int32Array;
  /** Events that should exist by the end of each day; the last entry is `events`. */
  cumTarget: Float64Array;
}

export function planDemo(opts: { events: number; days: number; seed: number; now: number }): DemoPlan {
  const rng = createRng(opts.seed, 1);
  const days = Math.max(1, Math.round(opts.days));
  const endMs = opts.now;
  const startMs = endMs - days * dayMs;
  const users = Math.max(1, Math.min(opts.events, Math.round(opts.events / eventsPerUser)));
  const newPerDay = apportion(
    users,
    Array.from({ length: days }, (_, d) => growth ** ((d + 0.5) / days)),
  );

  const signupDay = new Int32Array(users);
  const signupMs = new Float64Array(users);
  const activity = new Float64Array(users);
  const lastDay = new Int32Array(users);
  const payer = new Uint8Array(users);
  const firstUserOfDay = new Int32Array(days + 1);
  // Returning-session weight per day, built with a difference array: O(users + days).
  const diff = new Float64Array(days + 1);
  const sameDay = new Float64Array(days);
  let u = 0;
  for (let d = 0; d < days; d++) {
    firstUserOfDay[d] = u;
    const [lo, hi] = daySlice(startMs, endMs, days, d);
    for (let k = 0; k < newPerDay[d]; k++, u++) {
      const a = rng.pareto(1.2, 100);
      signupDay[u] = d;
      signupMs[u] = sessionStart(rng, lo, hi)!;
      activity[u] = a;
      lastDay[u] = a >= 20 ? days : Math.min(days - 1, d + Math.ceil(rng.exp(10 * a)));
      payer[u] = rng.next() < Math.min(0.85, 0.3 + 0.025 * a) ? 1 : 0;
      sameDay[d] += a * sameDayWeight;
      diff[d + 1] += a;
      diff[Math.min(days, lastDay[u] + 1)] -= a;
    }
  }
  firstUserOfDay[days] = users;

  const returning: number[] = [];
  for (let d = 0, w = 0; d < days; d++) {
    w += diff[d];
    returning.push((w + sameDay[d]) * (isWeekend(startMs, d) ? weekendFactor : 1));
  }
  const returningTotal = returning.reduce((a, b) => a + b, 0);
  const returningEvents = Math.max(0, opts.events - users * firstSessionEvents);
  const shares = returning.map((r, d) => newPerDay[d] * firstSessionEvents + (returningTotal > 0 ? (r / returningTotal) * returningEvents : 0));
  const perDay = apportion(opts.events, shares);
  const cumTarget = new Float64Array(days);
  perDay.reduce((sum, n, d) => (cumTarget[d] = sum + n), 0);

  return { startMs, endMs, days, events: opts.events, users, signupDay, signupMs, activity, lastDay, payer, firstUserOfDay, cumTarget };
}

/** A user signing up today comes back the same day at this fraction of their weight. */
export const sameDayWeight = 0.5;

/** Day d as [lo, hi): 24-hour slices ending at `endMs`. */
export function daySlice(startMs: number, endMs: number, days: number, d: number): [number, number] {
  const lo = startMs + d * dayMs;
  return [lo, d === days - 1 ? endMs : lo + dayMs];
}

/**
 * A session start in [lo, hi) following the hour-of-day rhythm (rejection
 * sampling); undefined when the interval is empty.
 */
export function sessionStart(rng: Rng, lo: number, hi: number): number | undefined {
  if (hi <= lo) return undefined;
  let t = lo;
  for (let i = 0; i < 30; i++) {
    t = lo + Math.floor(rng.next() * (hi - lo));
    if (rng.next() < hourWeights[new Date(t).getUTCHours()]) break;
  }
  return t;
}

function isWeekend(startMs: number, d: number): boolean {
  const day = new Date(startMs + d * dayMs + dayMs / 2).getUTCDay();
  return day === 0 || day === 6;
}
