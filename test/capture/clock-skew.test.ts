import { describe, expect, it } from "vitest";
import { resolveEventTime } from "../../capture/clock-skew.js";
import { clampAfterMs, earliestEventMs, refuseAfterMs } from "../../core/events/event-time-bounds.js";

const second = 1000;
const hour = 3_600_000;
const day = 86_400_000;
const received = Date.UTC(2024, 2, 10, 12, 0, 0); // 1710072000000

describe("resolveEventTime", () => {
  it("uses the receive time when the event has no timestamp", () => {
    expect(resolveEventTime(received)).toEqual({ ok: true, timestampMs: received, clamped: false });
    expect(resolveEventTime(received, undefined, received - hour)).toEqual({ ok: true, timestampMs: received, clamped: false });
  });

  it("trusts a timestamp without sentAt as it is", () => {
    expect(resolveEventTime(received, received - 5 * second)).toEqual({ ok: true, timestampMs: 1_710_071_995_000, clamped: false });
  });

  it("corrects a client clock one hour fast", () => {
    const sentAt = received + hour;
    const timestamp = sentAt - 30 * second;
    expect(resolveEventTime(received, timestamp, sentAt)).toEqual({ ok: true, timestampMs: 1_710_071_970_000, clamped: false });
  });

  it("corrects a client clock one hour slow", () => {
    const sentAt = received - hour;
    const timestamp = sentAt - 2 * second;
    expect(resolveEventTime(received, timestamp, sentAt)).toEqual({ ok: true, timestampMs: 1_710_071_998_000, clamped: false });
  });

  it("keeps an event logged long before it was sent, offset from the receive time", () => {
    const sentAt = received + 7 * hour;
    expect(resolveEventTime(received, sentAt - 3 * day, sentAt)).toEqual({ ok: true, timestampMs: received - 3 * day, clamped: false });
  });

  it("corrects a clock years ahead instead of refusing it", () => {
    const sentAt = received + 3 * 365 * day;
    expect(resolveEventTime(received, sentAt - hour, sentAt)).toEqual({ ok: true, timestampMs: received - hour, clamped: false });
  });

  it("accepts exactly a day ahead unchanged", () => {
    expect(clampAfterMs).toBe(day);
    expect(resolveEventTime(received, received + day)).toEqual({ ok: true, timestampMs: received + day, clamped: false });
  });

  it("clamps to the receive time, flagged, just beyond a day ahead", () => {
    expect(resolveEventTime(received, received + day + 1)).toEqual({ ok: true, timestampMs: received, clamped: true });
  });

  it("clamps rather than refuses up to exactly a year ahead", () => {
    expect(refuseAfterMs).toBe(365 * day);
    expect(resolveEventTime(received, received + 365 * day)).toEqual({ ok: true, timestampMs: received, clamped: true });
  });

  it("refuses beyond a year ahead", () => {
    expect(resolveEventTime(received, received + 365 * day + 1)).toEqual({ ok: false, reason: "is more than a year in the future" });
  });

  it("judges the corrected time, not the client's, against the limits", () => {
    const sentAt = received - 10 * 365 * day;
    expect(resolveEventTime(received, sentAt + 2 * day, sentAt)).toEqual({ ok: true, timestampMs: received, clamped: true });
    expect(resolveEventTime(received, sentAt + 400 * day, sentAt)).toEqual({ ok: false, reason: "is more than a year in the future" });
  });

  it("accepts 2000-01-01T00:00:00.000Z and refuses a millisecond earlier", () => {
    expect(earliestEventMs).toBe(946_684_800_000);
    expect(resolveEventTime(received, 946_684_800_000)).toEqual({ ok: true, timestampMs: 946_684_800_000, clamped: false });
    expect(resolveEventTime(received, 946_684_799_999)).toEqual({ ok: false, reason: "is before 2000-01-01" });
  });

  it("refuses epoch zero and seconds mistaken for milliseconds", () => {
    expect(resolveEventTime(received, 0)).toEqual({ ok: false, reason: "is before 2000-01-01" });
    expect(resolveEventTime(received, 1_710_072_000)).toEqual({ ok: false, reason: "is before 2000-01-01" });
  });

  it("refuses a corrected time before 2000", () => {
    expect(resolveEventTime(received, Date.UTC(2010, 0, 1), Date.UTC(2040, 0, 1))).toEqual({ ok: false, reason: "is before 2000-01-01" });
  });
});
