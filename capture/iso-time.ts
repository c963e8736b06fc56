// Strict ISO 8601 / RFC 3339: a date, optionally a time, optionally a zone.
// Date.parse alone accepts far too much ("March 7", "2024-1-1 5pm").
const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch milliseconds of a strict ISO 8601 string, or undefined when it is not one. Zone-less means UTC. */
export function parseIsoTime(s: string): number | undefined {
  const m = isoPattern.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", sec = "00", frac = "", zone = "Z"] = m;
  const ms = frac === "" ? "000" : frac.padEnd(3, "0").slice(0, 3);
  const z = zone.toUpperCase() === "Z" ? "Z" : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}.${ms}${z}`);
  if (Number.isNaN(t)) return undefined;
  // Date.parse rolls over impossible dates (02-30 becomes 03-02); refuse them.
  const check = new Date(Date.UTC(+y, +mo - 1, +d));
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +sec > 59) return undefined;
  return t;
}
