const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

/** Counts as people read them: 12,345; averages with one decimal. */
export function count(n: number | bigint): string {
  const x = Number(n);
  return Number.isInteger(x) ? integer.format(x) : decimal.format(x);
}

export function share(rate: number): string {
  return percent.format(rate);
}

/** The change from `before` to `now`: "+12.5%", "−3%", "new" when there was nothing before. */
export function change(now: number, before: number): { text: string; direction: "up" | "down" | "flat" } {
  if (before === 0) return now === 0 ? { text: "no change", direction: "flat" } : { text: "new", direction: "up" };
  const rate = (now - before) / before;
  if (Math.abs(rate) < 0.0005) return { text: "no change", direction: "flat" };
  return { text: `${rate > 0 ? "+" : "−"}${percent.format(Math.abs(rate))}`, direction: rate > 0 ? "up" : "down" };
}

/** Today's date in a zone, YYYY-MM-DD. */
export function today(tz: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

/** A YYYY-MM-DD date `days` later (negative: earlier). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** A chart point's label, shorter for hours. */
export function pointLabel(point: string): string {
  return point.includes("T") ? point.replace("T", " ") : point;
}

/** "1 event", "2 events". */
export function counted(n: number | bigint, one: string, many: string): string {
  return `${count(n)} ${Number(n) === 1 ? one : many}`;
}
