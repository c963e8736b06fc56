import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIsoTime } from "../../capture/iso-time.js";

const minute = 60_000;
const at = Date.UTC(2024, 2, 7, 10, 15, 30); // 2024-03-07T10:15:30Z

describe("parseIsoTime accepts", () => {
  it("a date alone as UTC midnight", () => {
    expect(parseIsoTime("2024-03-07")).toBe(Date.UTC(2024, 2, 7));
  });

  it("a date and time without seconds or zone as UTC", () => {
    expect(parseIsoTime("2024-03-07T10:15")).toBe(Date.UTC(2024, 2, 7, 10, 15));
    expect(parseIsoTime("2024-03-07T10:15:30")).toBe(at);
  });

  it("a space instead of T, and lower-case t and z", () => {
    expect(parseIsoTime("2024-03-07 10:15:30")).toBe(at);
    expect(parseIsoTime("2024-03-07t10:15:30z")).toBe(at);
  });

  it.each([
    ["1", 100],
    ["12", 120],
    ["123", 123],
    ["9999", 999],
    ["123456", 123],
    ["123456789", 123],
  ])("a fraction of %s digits' value %s, truncated to milliseconds", (frac, ms) => {
    expect(parseIsoTime(`2024-03-07T10:15:30.${frac}Z`)).toBe(at + ms);
  });

  it.each([
    ["Z", 0],
    ["+00:00", 0],
    ["+05:30", -330 * minute],
    ["+0530", -330 * minute],
    ["-08:00", 480 * minute],
    ["-0800", 480 * minute],
    ["+14:00", -840 * minute],
  ])("the zone %s", (zone, shift) => {
    expect(parseIsoTime(`2024-03-07T10:15:30${zone}`)).toBe(at + shift);
  });

  it("a zone after a time without seconds", () => {
    expect(parseIsoTime("2024-03-07T10:15+01:00")).toBe(Date.UTC(2024, 2, 7, 9, 15));
  });

  it("29 February in a leap year", () => {
    expect(parseIsoTime("2024-02-29T23:59:59.999Z")).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
  });
});

describe("parseIsoTime refuses", () => {
  it.each([
    "",
    "March 7",
    "March 7, 2024",
    "2024-1-1",
    "2024-03-7",
    "24-03-07",
    "+002024-03-07",
    "2024/03/07",
    "2024-02-30",
    "2023-02-29",
    "2024-04-31",
    "2024-13-01",
    "2024-00-10",
    "2024-03-00",
    "2024-03-07T24:00:00Z",
    "2024-03-07T23:60:00Z",
    "2024-03-07T23:59:60Z",
    "2024-03-07T10",
    "2024-03-07T10:15:30.Z",
    "2024-03-07T10:15:30,5Z",
    "2024-03-07T10:15:30.1234567890Z",
    "2024-03-07T10:15:30+05",
    "2024-03-07T10:15:30+24:00",
    "2024-03-07T10:15:30+05:60",
    "2024-03-07Z",
    "2024-03-07T10:15:30Zjunk",
    "2024-03-07T10:15:30Z ",
    " 2024-03-07",
    "2024-03-07\n",
    "2024-03-07T10:15:30 UTC",
    "1709806530000",
  ])("%j", (s) => {
    expect(parseIsoTime(s)).toBeUndefined();
  });
});

describe("parseIsoTime properties", () => {
  const dates = fc.date({ min: new Date("2000-01-01T00:00:00.000Z"), max: new Date("2100-01-01T00:00:00.000Z"), noInvalidDate: true });

  it("reads back every toISOString() exactly", () => {
    fc.assert(
      fc.property(dates, (d) => parseIsoTime(d.toISOString()) === d.getTime()),
      { numRuns: 2000 },
    );
  });

  it("gives the same instant for the same time written in any whole-minute offset", () => {
    const pad = (n: number) => String(n).padStart(2, "0");
    fc.assert(
      fc.property(dates, fc.integer({ min: -14 * 60, max: 14 * 60 }), fc.boolean(), (d, offset, colon) => {
        const local = new Date(d.getTime() + offset * minute).toISOString().slice(0, 23);
        const abs = Math.abs(offset);
        const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}${colon ? ":" : ""}${pad(abs % 60)}`;
        return parseIsoTime(`${local}${zone}`) === d.getTime();
      }),
      { numRuns: 1000 },
    );
  });
});
