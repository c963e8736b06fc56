import { describe, expect, it } from "vitest";
import { daysOf, daysStartOnWholeHours, monthsOf, resolveRange, validZone } from "../../analytics/time-range.js";
import { InvalidInputError } from "../../core/errors/domain-errors.js";

const hour = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const days = (tz: string, from: string, to: string) => resolveRange({ tz, from, to });
const last = (tz: string, count: number, now: number, unit?: "day" | "month") => resolveRange({ tz, from: "", to: "", count, unit }, now);

function refusal(f: () => unknown): { field: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidInputError) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error("not refused");
}

describe("resolveRange across DST changes", () => {
  it("gives Berlin's spring-forward day 23 hours between local midnights", () => {
    const r = days("Europe/Berlin", "2024-03-31", "2024-03-31");
    expect([iso(r.startMs), iso(r.endMs)]).toEqual(["2024-03-30T23:00:00.000Z", "2024-03-31T22:00:00.000Z"]);
    expect(r.endMs - r.startMs).toBe(23 * hour);
  });

  it("gives Berlin's fall-back day 25 hours", () => {
    const r = days("Europe/Berlin", "2024-10-27", "2024-10-27");
    expect([iso(r.startMs), iso(r.endMs)]).toEqual(["2024-10-26T22:00:00.000Z", "2024-10-27T23:00:00.000Z"]);
    expect(r.endMs - r.startMs).toBe(25 * hour);
  });

  it("gives New York's change days 23 and 25 hours", () => {
    expect(days("America/New_York", "2024-03-10", "2024-03-10")).toMatchObject({ startMs: Date.UTC(2024, 2, 10, 5), endMs: Date.UTC(2024, 2, 11, 4) });
    expect(days("America/New_York", "2024-11-03", "2024-11-03")).toMatchObject({ startMs: Date.UTC(2024, 10, 3, 4), endMs: Date.UTC(2024, 10, 4, 5) });
  });

  it("lists each local date of a range spanning a change exactly once", () => {
    expect(daysOf(days("Europe/Berlin", "2024-03-30", "2024-04-01"))).toEqual(["2024-03-30", "2024-03-31", "2024-04-01"]);
    expect(daysOf(days("Europe/Berlin", "2024-10-26", "2024-10-28"))).toEqual(["2024-10-26", "2024-10-27", "2024-10-28"]);
    expect(daysOf(days("America/New_York", "2024-11-02", "2024-11-04"))).toEqual(["2024-11-02", "2024-11-03", "2024-11-04"]);
  });

  it("counts the last 7 days across spring forward as 167 hours", () => {
    const r = last("Europe/Berlin", 7, Date.UTC(2024, 3, 2, 10));
    expect([iso(r.startMs), iso(r.endMs)]).toEqual(["2024-03-26T23:00:00.000Z", "2024-04-02T22:00:00.000Z"]);
    expect(r.endMs - r.startMs).toBe(167 * hour);
    expect(daysOf(r)).toHaveLength(7);
  });
});

describe("resolveRange with from and to", () => {
  it("includes both dates", () => {
    const r = days("UTC", "2024-02-27", "2024-03-01");
    expect(r).toEqual({ startMs: Date.UTC(2024, 1, 27), endMs: Date.UTC(2024, 2, 2), tz: "UTC" });
    expect(daysOf(r)).toEqual(["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]);
  });

  it("accepts a single day", () => {
    expect(days("UTC", "2023-02-28", "2023-02-28")).toMatchObject({ startMs: Date.UTC(2023, 1, 28), endMs: Date.UTC(2023, 2, 1) });
  });

  it("runs from 2000-01-01 when only to is given, and through today when only from is given", () => {
    const now = Date.UTC(2024, 5, 15, 12);
    expect(resolveRange({ tz: "UTC", from: "", to: "2024-01-01" }, now)).toMatchObject({ startMs: Date.UTC(2000, 0, 1), endMs: Date.UTC(2024, 0, 2) });
    expect(resolveRange({ tz: "UTC", from: "2024-06-01", to: "" }, now)).toMatchObject({ startMs: Date.UTC(2024, 5, 1), endMs: Date.UTC(2024, 5, 16) });
  });

  it("covers all time up to 2100 when nothing bounds it", () => {
    expect(resolveRange({ tz: "", from: "", to: "" }, Date.UTC(2024, 0, 1))).toEqual({ startMs: Date.UTC(2000, 0, 1), endMs: Date.UTC(2100, 0, 1), tz: "UTC" });
  });

  it("lists every month the range touches", () => {
    expect(monthsOf(days("UTC", "2024-01-31", "2024-03-01"))).toEqual(["2024-01", "2024-02", "2024-03"]);
  });
});

describe("resolveRange counting back from now", () => {
  it("takes today from now in the requested zone", () => {
    const now = Date.UTC(2024, 2, 31, 22, 30); // already 00:30 on April 1 in Berlin
    expect(daysOf(last("Europe/Berlin", 1, now))).toEqual(["2024-04-01"]);
    expect(daysOf(last("UTC", 1, now))).toEqual(["2024-03-31"]);
  });

  it("includes today in the last N days", () => {
    expect(last("UTC", 3, Date.UTC(2024, 2, 1, 0, 0, 1))).toMatchObject({ startMs: Date.UTC(2024, 1, 28), endMs: Date.UTC(2024, 2, 2) });
  });

  it.each([
    ["2024-01-31", 1, "2024-01-01", "2024-02-01"],
    ["2024-01-31", 2, "2023-12-01", "2024-02-01"],
    ["2024-02-29", 1, "2024-02-01", "2024-03-01"],
    ["2024-02-29", 3, "2023-12-01", "2024-03-01"],
    ["2024-03-31", 2, "2024-02-01", "2024-04-01"],
    ["2023-02-28", 1, "2023-02-01", "2023-03-01"],
    ["2023-03-01", 2, "2023-02-01", "2023-03-02"],
  ])("on %s takes %i calendar month(s), today included: %s up to %s", (today, months, start, end) => {
    const r = last("UTC", months, Date.parse(`${today}T23:59:59Z`), "month");
    expect([iso(r.startMs), iso(r.endMs)]).toEqual([`${start}T00:00:00.000Z`, `${end}T00:00:00.000Z`]);
    expect(monthsOf(r)).toHaveLength(months);
  });

  it("starts months at local midnight", () => {
    const r = last("Europe/Berlin", 2, Date.UTC(2024, 2, 31, 12), "month");
    expect([iso(r.startMs), iso(r.endMs)]).toEqual(["2024-01-31T23:00:00.000Z", "2024-03-31T22:00:00.000Z"]);
    expect(monthsOf(r)).toEqual(["2024-02", "2024-03"]);
  });
});

describe("resolveRange refusals", () => {
  it.each(["Mars/Olympus", "Europe/Berlin; DROP", "../etc/passwd", "x".repeat(65)])("names tz for %s", (tz) => {
    expect(refusal(() => days(tz, "2024-01-01", "2024-01-01")).field).toBe("tz");
  });

  it("names from when from is after to", () => {
    expect(refusal(() => days("UTC", "2024-03-02", "2024-03-01"))).toEqual({ field: "from", message: "from must be on or before to" });
  });

  it.each(["2024-02-30", "2023-02-29", "2024-2-1", "2024-02-01T00:00", "1999-12-31", "yesterday", " 2024-02-01"])("names from and to for %j", (bad) => {
    expect(refusal(() => days("UTC", bad, "2024-03-01")).field).toBe("from");
    expect(refusal(() => days("UTC", "2024-01-01", bad)).field).toBe("to");
  });

  it("refuses a range longer than 100 years", () => {
    expect(refusal(() => days("UTC", "2000-01-01", "2200-01-01"))).toEqual({ field: "from", message: "from the range is longer than 100 years" });
  });
});

describe("validZone", () => {
  it("takes empty as UTC and keeps valid names", () => {
    expect([validZone(""), validZone("Asia/Kolkata"), validZone("Etc/GMT+5")]).toEqual(["UTC", "Asia/Kolkata", "Etc/GMT+5"]);
  });

  it("spells a name given in another case as the zone does (databases match zone names exactly)", () => {
    expect([validZone("utc"), validZone("europe/berlin"), validZone("AMERICA/NEW_YORK")]).toEqual(["UTC", "Europe/Berlin", "America/New_York"]);
  });
});

describe("resolveRange where clocks skip midnight", () => {
  // Santiago springs forward at 00:00 → 01:00 (2024-09-08), Havana likewise (2024-03-10): that day starts at 01:00.
  it.each([
    ["America/Santiago", "2024-09-08", "2024-09-08T04:00:00.000Z", "2024-09-09T03:00:00.000Z"],
    ["America/Havana", "2024-03-10", "2024-03-10T05:00:00.000Z", "2024-03-11T04:00:00.000Z"],
  ])("ends %s's %s at the next local midnight, not an hour into the next day", (tz, date, start, end) => {
    const r = days(tz, date, date);
    expect([iso(r.startMs), iso(r.endMs)]).toEqual([start, end]);
    expect(days(tz, date, date).endMs).toBe(days(tz, nextDate(date), nextDate(date)).startMs);
  });
});

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

describe("daysStartOnWholeHours", () => {
  const year = (tz: string) => days(tz, "2024-01-01", "2024-12-31");

  it.each(["UTC", "Europe/Berlin", "America/New_York"])("is true for %s", (tz) => {
    expect(daysStartOnWholeHours(year(tz))).toBe(true);
  });

  it.each(["Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe"])("is false for %s", (tz) => {
    expect(daysStartOnWholeHours(year(tz))).toBe(false);
  });

  it("is false for a Lord Howe January, whole-hour (+11) itself, because July is +10:30", () => {
    expect(daysStartOnWholeHours(days("Australia/Lord_Howe", "2024-01-10", "2024-01-20"))).toBe(false);
  });
});
