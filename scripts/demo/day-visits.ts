import { type DemoPlan, daySlice, sameDayWeight, sessionStart } from "./demo-plan.js";
import { type Rng, upperBound } from "./random.js";
import { type Visit, visitEvents } from "./session-events.js";

/** A returning visit starts at least this long after the user's first one. */
const minReturnGapMs = 30 * 60_000;
/** Share of payers who buy during the visit in which they register. */
const payOnFirstVisit = 0.25;

/** What the planner remembers across days: funnel steps and the running total. */
export interface PlannerState {
  registered: Uint8Array;
  paid: Uint8Array;
  /** Scratch space for the day's cumulative user weights. */
  cum: Float64Array;
  generated: number;
  visits: number;
}

export function plannerState(plan: DemoPlan): PlannerState {
  return { registered: new Uint8Array(plan.users), paid: new Uint8Array(plan.users), cum: new Float64Array(plan.users), generated: 0, visits: 0 };
}

/**
 * Plans day d's visits, sorted by start: first the visits of the users who
 * arrive that day (always), then returning visits drawn by activity among
 * registered users who have not churned, until the day holds its share of the
 * events. Each visit is built once here to count it; only its spec is kept.
 */
export function planDayVisits(plan: DemoPlan, d: number, state: PlannerState, rng: Rng, datasetSeed: number): Visit[] {
  const [lo, hi] = daySlice(plan.startMs, plan.endMs, plan.days, d);
  const last = d === plan.days - 1;
  const visits: Visit[] = [];
  const add = (user: number, startMs: number, first: boolean, pay: boolean, limit: number) => {
    const visit: Visit = { user, startMs, first, pay, id: ++state.visits, seed: Math.floor(rng.next() * 2 ** 32), limit: Math.max(0, limit) };
    const events = visitEvents(visit, plan.endMs, datasetSeed);
    visit.limit = events.length;
    if (events.length === 0) return;
    for (const e of events) {
      if (e.event === "user_registered") state.registered[user] = 1;
      else if (e.event === "payment_success") state.paid[user] = 1;
    }
    state.generated += events.length;
    visits.push(visit);
  };

  for (let u = plan.firstUserOfDay[d]; u < plan.firstUserOfDay[d + 1]; u++) {
    const pay = plan.payer[u] === 1 && rng.next() < payOnFirstVisit;
    add(u, plan.signupMs[u], true, pay, last ? plan.events - state.generated : Infinity);
  }
  const n = plan.firstUserOfDay[d + 1];
  const total = returningWeights(plan, d, n, state);
  const target = plan.cumTarget[d];
  const maxAttempts = 1000 + 50 * Math.max(0, target - state.generated);
  for (let attempts = 0; total > 0 && state.generated < target && attempts < maxAttempts; attempts++) {
    const u = upperBound(state.cum, n, rng.next() * total);
    const start = sessionStart(rng, Math.max(lo, plan.signupMs[u] + minReturnGapMs), hi);
    if (start === undefined) continue;
    add(u, start, false, plan.payer[u] === 1 && state.paid[u] === 0, target - state.generated);
  }
  return visits.sort((a, b) => a.startMs - b.startMs || a.id - b.id);
}

/** Fills cum[0, n) with each user's chance of a visit on day d; returns the total. */
function returningWeights(plan: DemoPlan, d: number, n: number, state: PlannerState): number {
  let total = 0;
  for (let u = 0; u < n; u++) {
    if (state.registered[u] === 1 && plan.lastDay[u] >= d) total += plan.activity[u] * (plan.signupDay[u] === d ? sameDayWeight : 1);
    state.cum[u] = total;
  }
  return total;
}
