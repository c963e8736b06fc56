import type { InsightRow, InsightRowsQuery, PropertyFilter } from "./insights/insight-query.js";

/** A validated time range: [startMs, endMs) in UTC, with the zone that decides day and month starts. */
export interface TimeRange {
  startMs: number;
  endMs: number;
  tz: string;
}

/** What one question covers: one project's events in a time range (nothing crosses projects). */
export interface Scope extends TimeRange {
  projectId: string;
}

export interface DayCount {
  date: string;
  users: number;
}

export interface MonthCount {
  month: string;
  users: number;
}

export interface FeatureCount {
  feature: string;
  count: number;
}

export interface UserActivity {
  distinctId: string;
  events: number;
}

export interface FunnelStepCount {
  event: string;
  users: number;
}

export interface RetentionCohort {
  /** First day of the cohort's period, YYYY-MM-DD in the range's zone. */
  period: string;
  users: number;
  /** Users of the cohort active in period +0, +1, … (+0 is the cohort itself). */
  returning: number[];
}

export interface RetentionQuery {
  startEvent: string;
  returnEvent: string;
  period: "day" | "week";
  periods: number;
  /** Conditions the start and return events must meet. */
  filters: PropertyFilter[];
}

export interface TrendSeries {
  /** The property value, "(none)" when missing or not a string, "other" for the rest. */
  value: string;
  /** One count per day of the range. */
  counts: number[];
}

/**
 * The questions, one definition each; every database renders them in its own
 * file. Counts of events count distinct uuids, so duplicates not yet folded
 * by the database never count twice.
 */
export interface AnalyticsStore {
  /** Distinct users per local day that has events. */
  dailyActiveUsers(scope: Scope): Promise<DayCount[]>;
  /** Distinct users per local month that has events. */
  monthlyActiveUsers(scope: Scope): Promise<MonthCount[]>;
  totalUsers(scope: Scope): Promise<number>;
  totalEvents(scope: Scope): Promise<number>;
  /** `properties.feature` of `most_used_feature` events, most used first. */
  topFeatures(scope: Scope, limit: number): Promise<FeatureCount[]>;
  /** Users who registered, and how many of those also paid. */
  registeredToPaid(scope: Scope): Promise<{ registered: number; paid: number }>;
  mostActiveUsers(scope: Scope, limit: number): Promise<UserActivity[]>;
  /** Users reaching each step in order, each step at or after the previous, all within `windowSeconds` of the first. */
  funnel(scope: Scope, steps: readonly string[], windowSeconds: number, filters: PropertyFilter[]): Promise<number[]>;
  /**
   * Cohorts are users by the period of their first `startEvent` in the range.
   * Rows: the cohort's size at k = 0, and for k = 1…periods the users of the
   * cohort with `returnEvent` (any event when empty) k periods later.
   */
  retention(scope: Scope, q: RetentionQuery): Promise<Array<{ cohort: string; k: number; users: number }>>;
  /** Daily distinct-uuid counts of `event` per string value of `property` (all values; the caller keeps the top ones). */
  trend(scope: Scope, q: { event: string; property: string }): Promise<Array<{ date: string; value: string; count: number }>>;
  /** One trends series: its math per interval (or over the range) and breakdown value. */
  insightRows(scope: Scope, q: InsightRowsQuery): Promise<InsightRow[]>;
  /** The breakdown's values with the largest aggregate of the series over the range (ties by value, byte order), at most `limit`. */
  insightTopValues(scope: Scope, q: InsightRowsQuery, by: { by: "property" | "event"; property: string }, limit: number): Promise<string[]>;
  /**
   * Where one pass can do it (the store decides: e.g. counted events over few values), the breakdown's
   * top values and the series' rows with the rest folded, at once; undefined to ask insightTopValues,
   * then insightRows.
   */
  insightBreakdownRows?(
    scope: Scope,
    q: InsightRowsQuery,
    by: { by: "property" | "event"; property: string },
    limit: number,
  ): Promise<{ kept: string[]; rows: InsightRow[] } | undefined>;
  /** A person of the project: the latest properties $set gave it ($set_once ones where nothing was $set), and its linked ids. */
  person(projectId: string, distinctId: string): Promise<{ properties: Record<string, unknown>; linked: string[] }>;
}
