import { clampAfterMs, earliestEventMs, refuseAfterMs } from "../core/events/event-time-bounds.js";

export type ResolvedTime = { ok: true; timestampMs: number; clamped: boolean } | { ok: false; reason: string };

/**
 * Event time with the client's clock skew removed: when the client says when it
 * sent the event, only the offset between event and send is trusted and applied
 * to the server's receive time.
 */
export function resolveEventTime(receivedAtMs: number, timestampMs?: number, sentAtMs?: number): ResolvedTime {
  if (timestampMs === undefined) return { ok: true, timestampMs: receivedAtMs, clamped: false };
  const t = sentAtMs === undefined ? timestampMs : receivedAtMs + (timestampMs - sentAtMs);
  if (t < earliestEventMs) return { ok: false, reason: "is before 2000-01-01" };
  if (t > receivedAtMs + refuseAfterMs) return { ok: false, reason: "is more than a year in the future" };
  if (t > receivedAtMs + clampAfterMs) return { ok: true, timestampMs: receivedAtMs, clamped: true };
  return { ok: true, timestampMs: t, clamped: false };
}
