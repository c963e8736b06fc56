/**
 * The shape of the synthetic dataset both databases generate in SQL: the
 * original's four events with their properties (as scripts/demo/generator.ts
 * makes them), one user_registered per user at sign-up, ~30% of users paying,
 * and page views / feature use spread over each user's life after sign-up.
 * Sign-ups grow towards the end of the range (sqrt), activity per user is
 * skewed (a few power users) and clustered in sessions (a first one at
 * sign-up), users churn, so DAU, funnels and retention look realistic.
 */
export interface DatasetSpec {
  events: number;
  users: number;
  days: number;
  /** End of the range, epoch seconds (events fall in [end - days, end)). */
  endS: number;
}

export const payerShare = 0.3;
/** Share of the non-registration, non-payment events that are most_used_feature (demo generator: ~35%). */
export const featureShare = 0.35;

export const features = ["dashboard", "reports", "export", "search", "settings", "alerts", "integrations", "api_keys"];
/** Zipf s = 1.3, as the demo generator. */
export const featureCum = cumulative(features.map((_, k) => 1 / (k + 1) ** 1.3));
export const pages = ["/", "/dashboard", "/reports", "/events", "/settings", "/docs", "/integrations", "/pricing"];
export const pageCum = cumulative([8, 10, 5, 4, 2, 2, 1, 1]);
export const devices = ["desktop", "mobile", "tablet"];
export const deviceCum = cumulative([60, 33, 7]);
export const referrals = ["organic", "google", "instagram", "twitter", "friend", "newsletter"];
export const referralCum = cumulative([30, 25, 15, 10, 12, 8]);
/** payment_success properties, JSON without the sessionId. */
export const prices = [
  '"amount":499,"currency":"INR","plan":"starter"',
  '"amount":1499,"currency":"INR","plan":"pro"',
  '"amount":9,"currency":"USD","plan":"starter"',
  '"amount":29,"currency":"USD","plan":"pro"',
  '"amount":99,"currency":"USD","plan":"team"',
  '"amount":25,"currency":"EUR","plan":"pro"',
];
export const priceCum = cumulative([20, 8, 30, 25, 5, 12]);

/** Cumulative shares ending at exactly 1 (the last bound is nudged up so a uniform draw < 1 always lands). */
function cumulative(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  let run = 0;
  const out = weights.map((w) => (run += w) / total);
  out[out.length - 1] = 1.000001;
  return out;
}

export function payers(spec: DatasetSpec): number {
  return Math.round(spec.users * payerShare);
}

/** Page views and feature use come in sessions: about this many events within this many seconds (the demo's visits). */
export const eventsPerSession = 7;
export const sessionSeconds = 1800;

/**
 * Events that are neither registrations nor payments. User k gets a share
 * sqrt(k/U) - sqrt((k-1)/U) of them (u = 1 + floor(U r²)), hence
 * about share × otherEvents / eventsPerSession sessions.
 */
export function otherEvents(spec: DatasetSpec): number {
  return Math.max(0, spec.events - spec.users - payers(spec));
}

/** Literal SQL array of strings (values are our own constants: no quotes inside). */
export const sqlStrings = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(", ")}]`;
export const sqlNumbers = (xs: number[]) => `[${xs.map((x) => x.toFixed(6)).join(", ")}]`;
