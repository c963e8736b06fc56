const dayMs = 86_400_000;

/** Earliest event time accepted: older timestamps are almost surely bugs (epoch 0, seconds as ms). */
export const earliestEventMs = Date.UTC(2000, 0, 1);
/** Beyond a day ahead of its arrival an event's time is clamped and flagged; beyond a year it is refused as absurd. */
export const clampAfterMs = dayMs;
export const refuseAfterMs = 365 * dayMs;

/**
 * True when [startMs, endMs) holds every time capture can have stored by `now`:
 * from the earliest accepted time to a day past the latest arrival.
 */
export function coversEveryStoredTime(range: { startMs: number; endMs: number }, now: number): boolean {
  return range.startMs <= earliestEventMs && range.endMs > now + clampAfterMs;
}
