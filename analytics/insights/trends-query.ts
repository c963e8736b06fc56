import pLimit from "p-limit";
import { InvalidInputError } from "../../core/errors/domain-errors.js";
import type { AnalyticsStore } from "../analytics-store.js";
import { boundedInt, eventName, propertyName } from "../query-params.js";
import { resolveRange } from "../time-range.js";
import { type RawFilter, validFilters } from "./filter-params.js";
import { pointsOf, previousRange, rangeDates } from "./insight-points.js";
import { type InsightRowsQuery, type Interval, intervals, propertyMaths, type SeriesMath, seriesMaths } from "./insight-query.js";
import { shapeSeries } from "./trends-shape.js";

export interface TrendsRequest {
  series: Array<{ event: string; math: string; mathProperty: string; filters: RawFilter[] }>;
  filters: RawFilter[];
  interval: string;
  days?: number;
  tz: string;
  from: string;
  to: string;
  breakdown: string;
  breakdownType: string;
  breakdownLimit?: number;
  compare: boolean;
}

const mostSeries = 10;

/** An answer's values (series × lines × points × periods) beyond this is more than any chart shows. */
const mostValues = 100_000;
/** Store queries of one request at once: ten series compared would otherwise take sixty connections. */
const queriesAtOnce = 4;

/**
 * The trends insight: each series is asked of the store on its own; with a
 * breakdown, first its top values over the range, then the series with every
 * other value folded into "other" by the database (so unique users of "other"
 * are counted once, not summed). The previous period is asked about the same
 * values, so its lines line up with the current ones.
 */
export function createTrendsQuery(deps: { store: () => Promise<AnalyticsStore>; now: () => number }) {
  return async function trends(req: TrendsRequest, projectId: string) {
    const q = validTrendsRequest(req);
    const range = { projectId, ...resolveRange({ tz: req.tz, from: req.from, to: req.to, count: q.days }, deps.now()) };
    // Points first: too many of them is the caller's mistake, found before the store is touched.
    const periods = [range, ...(q.compare ? [{ projectId, ...previousRange(range) }] : [])].map((scope) => ({
      scope,
      ...pointsOf(scope, q.interval, deps.now()),
    }));
    const lines = q.breakdown ? q.breakdownLimit + 1 : 1;
    if (q.series.length * lines * periods.reduce((n, p) => n + p.points.length, 0) > mostValues) {
      throw new InvalidInputError("interval", `gives an answer of more than ${mostValues} values: choose fewer series, a longer interval or a shorter range`);
    }
    const store = await deps.store();
    const limit = pLimit(queriesAtOnce);
    const onePass = await Promise.all(
      q.series.map((s) =>
        q.breakdown && store.insightBreakdownRows
          ? limit(() => store.insightBreakdownRows!(range, rowsQuery(s, q.interval), q.breakdown!, q.breakdownLimit))
          : undefined,
      ),
    );
    const kept = await Promise.all(
      q.series.map((s, i) =>
        q.breakdown ? (onePass[i]?.kept ?? limit(() => store.insightTopValues(range, rowsQuery(s, "none"), q.breakdown!, q.breakdownLimit))) : undefined,
      ),
    );
    const [current, previous] = await Promise.all(
      periods.map(async ({ scope, points, observed }) => {
        const results = await Promise.all(
          q.series.map(async (s, i) => {
            const query = { ...rowsQuery(s, q.interval), breakdown: q.breakdown && { ...q.breakdown, kept: kept[i]! } };
            // Distinct users over the range are not the sum of each interval's: one more query. A breakdown
            // with no values at all has no events to count (an empty tile answers after one query).
            const nothing = kept[i]?.length === 0 && scope === range;
            const answered = scope === range ? onePass[i]?.rows : undefined;
            const [rows, totals] = await Promise.all([
              nothing ? [] : (answered ?? limit(() => store.insightRows(scope, query))),
              s.math === "unique_users" && !nothing ? limit(() => store.insightRows(scope, { ...query, interval: "none" })) : undefined,
            ]);
            return shapeSeries({ rows, totals, points, math: s.math, label: s.event || "All events", breakdown: kept[i] }).map((x) => ({ series: i, ...x }));
          }),
        );
        return { ...rangeDates(scope), points, observedPoints: observed, results: results.flat() };
      }),
    );
    return { interval: q.interval, current, previous };
  };
}

type ValidTrends = ReturnType<typeof validTrendsRequest>;

function rowsQuery(s: ValidTrends["series"][number], interval: InsightRowsQuery["interval"]): InsightRowsQuery {
  return { ...s, interval, breakdown: null };
}

function validTrendsRequest(req: TrendsRequest) {
  if (req.series.length < 1 || req.series.length > mostSeries) throw new InvalidInputError("series", `must list 1 to ${mostSeries} series`);
  const shared = validFilters(req.filters, "filters");
  const series = req.series.map((s, i) => {
    const at = `series[${i}]`;
    const math = (s.math === "" ? "total" : s.math) as SeriesMath;
    if (!seriesMaths.includes(math)) throw new InvalidInputError(`${at}.math`, `must be one of ${seriesMaths.join(" ")}`);
    const needsProperty = propertyMaths.has(math);
    if (!needsProperty && s.mathProperty !== "") throw new InvalidInputError(`${at}.mathProperty`, `is only for ${[...propertyMaths].join(" ")}`);
    return {
      event: eventName(s.event, `${at}.event`, false),
      math,
      mathProperty: needsProperty ? propertyName(s.mathProperty, `${at}.mathProperty`) : "",
      filters: [...shared, ...validFilters(s.filters, `${at}.filters`)],
    };
  });
  const interval = (req.interval === "" ? "day" : req.interval) as Interval;
  if (!intervals.includes(interval)) throw new InvalidInputError("interval", `must be one of ${intervals.join(" ")}`);
  const by = (req.breakdownType === "" ? "property" : req.breakdownType) as "property" | "event";
  if (by !== "property" && by !== "event") throw new InvalidInputError("breakdownType", 'must be "property" or "event"');
  if (by === "event" && req.breakdown !== "") throw new InvalidInputError("breakdown", "must be empty when breaking down by event name");
  const breakdown = by === "event" ? { by, property: "" } : req.breakdown === "" ? null : { by, property: propertyName(req.breakdown, "breakdown") };
  if (!breakdown && req.breakdownLimit !== undefined) throw new InvalidInputError("breakdownLimit", "needs a breakdown");
  return {
    series,
    interval,
    days: boundedInt(req.days, "days", 30, 1, 3650),
    breakdown,
    breakdownLimit: boundedInt(req.breakdownLimit, "breakdownLimit", 10, 1, 50),
    compare: req.compare,
  };
}
