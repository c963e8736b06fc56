/** The property conditions every database renders (analytics/insights/filter-params.ts validates them). */
export const filterOperators = ["equals", "not_equals", "contains", "is_set", "is_not_set", "gt", "lt"] as const;
export type FilterOperator = (typeof filterOperators)[number];

/** A validated condition on a top-level event property; `number` is set for gt / lt, and for equals / not_equals with a numeric value. */
export interface PropertyFilter {
  property: string;
  operator: FilterOperator;
  value: string;
  number?: number;
}

export const seriesMaths = ["total", "unique_users", "sum", "avg", "min", "max"] as const;
export type SeriesMath = (typeof seriesMaths)[number];
/** Maths over a numeric property rather than over events or users. */
export const propertyMaths: ReadonlySet<SeriesMath> = new Set(["sum", "avg", "min", "max"]);

export const intervals = ["hour", "day", "week", "month"] as const;
export type Interval = (typeof intervals)[number];

/**
 * One series' rows, as each database answers it. `interval` "none" gives one
 * row per breakdown value over the whole range; a breakdown with `kept` maps
 * every other value to one row with `kept: false`.
 */
export interface InsightRowsQuery {
  /** Empty: every event. */
  event: string;
  math: SeriesMath;
  mathProperty: string;
  filters: PropertyFilter[];
  interval: Interval | "none";
  breakdown: { by: "property" | "event"; property: string; kept: string[] } | null;
}

/**
 * `bucket`: the interval's local start (YYYY-MM-DD, or YYYY-MM-DDTHH:00 for
 * hours; "" for "none"); `value`: the breakdown value ("" when missing or not
 * kept). `n`: the math's value (the sum for avg); `c`: how many numeric values
 * a property math saw (0 for total and unique_users).
 */
export interface InsightRow {
  bucket: string;
  value: string;
  kept: boolean;
  n: number;
  c: number;
}
