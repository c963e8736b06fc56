export interface BackoffOptions {
  /** Delay ceiling of the first retry; doubles each attempt. */
  baseMs?: number;
  /** Ceiling of the exponential part. */
  maxMs?: number;
  /** A server asking for more than this is answered after this long instead. */
  maxRetryAfterMs?: number;
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): ~500 ms × 2^(n-1)
 * with "equal jitter" (half fixed, half random, so clients that failed
 * together come back spread out), capped. A `Retry-After` from the server is
 * a floor: we never come back earlier than asked, plus up to 10% jitter.
 */
export function backoff(attempt: number, retryAfterMs?: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 500;
  const max = opts.maxMs ?? 30_000;
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30) - 1));
  const exponential = ceiling / 2 + (random() * ceiling) / 2;
  if (retryAfterMs === undefined || !(retryAfterMs >= 0)) return Math.round(exponential);
  const asked = Math.min(retryAfterMs, opts.maxRetryAfterMs ?? 600_000) * (1 + random() * 0.1);
  return Math.round(Math.max(asked, exponential));
}
