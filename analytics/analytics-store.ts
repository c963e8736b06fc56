/** A validated time range: [startMs, endMs) in UTC, with the zone that decides day and month starts. */
export interface TimeRange {
  startMs: number;
  endMs: number;
  tz: string;
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
  dailyActiveUsers(range: TimeRange): Promise<DayCount[]>;
  /** Distinct users per local month that has events. */
  monthlyActiveUsers(range: TimeRange): Promise<MonthCount[]>;
  totalUsers(range: TimeRange): Promise<number>;
  totalEvents(range: TimeRange): Promise<number>;
  /** `properties.feature` of `most_used_feature` events, most used first. */
  topFeatures(range: TimeRange, limit: number): Promise<FeatureCount[]>;
  /** Users who registered, and how many of those also paid. */
  registeredToPaid(range: TimeRange): Promise<{ registered: number; paid: number }>;
  mostActiveUsers(range: TimeRange, limit: number): Promise<UserActivity[]>;
  /** Users reaching each step in order, each step at or after the previous, all within `windowSeconds` of the first. */
  funnel(range: TimeRange, steps: readonly string[], windowSeconds: number): Promise<number[]>;
  /**
   * Cohorts are users by the period of their first `startEvent` in the range.
   * Rows: the cohort's size at k = 0, and for k = 1…periods the users of the
   * cohort with `returnEvent` (any event when empty) k periods later.
   */
  retention(range: TimeRange, q: RetentionQuery): Promise<Array<{ cohort: string; k: number; users: number }>>;
  /** Daily distinct-uuid counts of `event` per string value of `property` (all values; the caller keeps the top ones). */
  trend(range: TimeRange, q: { event: string; property: string }): Promise<Array<{ date: string; value: string; count: number }>>;
}
