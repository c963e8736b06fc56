/** A seeded random source: the same seed always yields the same sequence. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Exponentially distributed with the given mean. */
  exp(mean: number): number;
  /** Pareto (power law) with minimum 1 and tail index `alpha`, capped at `max`. */
  pareto(alpha: number, max: number): number;
  /** An index drawn from `weights.cum` (cumulative weights). */
  weighted(weights: Weights): number;
}

/** Cumulative weights for O(log n) weighted draws. */
export interface Weights {
  cum: Float64Array;
  total: number;
}

export function weights(values: readonly number[]): Weights {
  const cum = new Float64Array(values.length);
  let total = 0;
  values.forEach((v, i) => {
    total += v;
    cum[i] = total;
  });
  return { cum, total };
}

/** Zipf-like weights 1/k^s for k = 1..n: a few items get most of the draws. */
export function zipf(n: number, s: number): Weights {
  return weights(Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s));
}

/** mulberry32: a tiny, fast 32-bit PRNG, good enough for synthetic data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An Rng over mulberry32; `stream` derives independent sequences from one seed. */
export function createRng(seed: number, stream = 0): Rng {
  const next = mulberry32((seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    exp: (mean) => -Math.log(1 - next()) * mean,
    pareto: (alpha, max) => Math.min(max, (1 - next()) ** (-1 / alpha)),
    weighted: (w) => upperBound(w.cum, w.cum.length, next() * w.total),
  };
}

/** First index in cum[0, length) whose value exceeds x (cum is non-decreasing). */
export function upperBound(cum: Float64Array, length: number, x: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Splits `total` into integers proportional to `shares`, summing exactly to `total`. */
export function apportion(total: number, shares: readonly number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  if (sum <= 0) return shares.map((_, i) => (i === shares.length - 1 ? total : 0));
  const exact = shares.map((s) => (s / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % out.length, left--) out[byRemainder[k][1]]++;
  return out;
}
