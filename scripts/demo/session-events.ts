import { createRng, weights, zipf } from "./random.js";

/** One synthetic event, in the shape the capture API takes (plus its time in ms). */
export interface DemoEvent {
  uuid: string;
  event: string;
  distinctId: string;
  properties: Record<string, string | number>;
  timestampMs: number;
}

/** The eight features of the original's most_used_feature example, most used first. */
export const features = ["dashboard", "reports", "export", "search", "settings", "alerts", "integrations", "api_keys"] as const;
const featureWeights = zipf(features.length, 1.3);

const pages = ["/", "/dashboard", "/reports", "/events", "/settings", "/docs", "/integrations", "/pricing"];
const pageWeights = weights([8, 10, 5, 4, 2, 2, 1, 1]);
const referrals = ["organic", "google", "instagram", "twitter", "friend", "newsletter"];
const referralWeights = weights([30, 25, 15, 10, 12, 8]);
const devices = ["desktop", "mobile", "tablet"];
const deviceWeights = weights([60, 33, 7]);
const prices = [
  { plan: "starter", amount: 499, currency: "INR" },
  { plan: "pro", amount: 1499, currency: "INR" },
  { plan: "starter", amount: 9, currency: "USD" },
  { plan: "pro", amount: 29, currency: "USD" },
  { plan: "team", amount: 99, currency: "USD" },
  { plan: "pro", amount: 25, currency: "EUR" },
];
const priceWeights = weights([20, 8, 30, 25, 5, 12]);

/** One visit, planned: rebuilding it from this spec always gives the same events. */
export interface Visit {
  user: number;
  startMs: number;
  /** The user's first visit: they land, sign up and fire user_registered. */
  first: boolean;
  /** The visit ends with a purchase (payment_success). */
  pay: boolean;
  /** Number of the visit in the dataset (its sessionId) and seed of its randomness. */
  id: number;
  seed: number;
  /** Keep at most this many of its events (the dataset's size, or `now`, cut it short). */
  limit: number;
}

/**
 * The events of one visit, in time order: page views a few seconds to minutes
 * apart, feature use on some pages (Zipf-skewed), registration on the first
 * visit and a purchase when `pay` is set. Uuids are filled in on emission.
 */
export function visitEvents(visit: Visit, endMs: number, datasetSeed: number): DemoEvent[] {
  const rng = createRng(visit.seed);
  const distinctId = `user_${visit.user + 1}`;
  const sessionId = `s${datasetSeed.toString(36)}-${visit.id.toString(36)}`;
  const device = devices[rng.weighted(deviceWeights)];
  const out: DemoEvent[] = [];
  let t = visit.startMs;
  const emit = (event: string, properties: Record<string, string | number>) => {
    if (t <= endMs && out.length < visit.limit) out.push({ uuid: "", event, distinctId, properties, timestampMs: Math.floor(t) });
    t += 2_000 + rng.exp(35_000);
  };
  const view = (path: string) => emit("page_view", { path, sessionId, device });

  if (visit.first) {
    view("/");
    view("/signup");
    emit("user_registered", { plan: "free", referral: referrals[rng.weighted(referralWeights)], sessionId });
  }
  const views = 1 + Math.min(19, Math.floor(rng.exp(2.5)));
  for (let i = 0; i < views; i++) {
    view(pages[rng.weighted(pageWeights)]);
    const uses = rng.next() < 0.45 ? (rng.next() < 0.3 ? 2 : 1) : 0;
    for (let k = 0; k < uses; k++) {
      emit("most_used_feature", { feature: features[rng.weighted(featureWeights)], duration: 5 + rng.int(295), sessionId });
    }
  }
  if (visit.pay) {
    view("/pricing");
    const price = prices[rng.weighted(priceWeights)];
    emit("payment_success", { amount: price.amount, currency: price.currency, plan: price.plan, sessionId });
  }
  return out;
}
