import type { AnalyticsStore, Scope } from "../../analytics/analytics-store.js";
import { byteOrder } from "../byte-order.js";
import { chInt, chString } from "./clickhouse-literal.js";

type Rows = <T>(query: string) => Promise<T[]>;

/** Candidates counted exactly: at least this many, or four times the limit; limits above `mostLimit` count everyone. */
const leastCandidates = 100;
const mostLimit = 100;

/**
 * The users with the most events, exactly. Counting every user's distinct
 * uuids costs a set per user (bench:dashboard's power users, the slowest
 * tile); a plain row count per user is cheap and never below the exact
 * count (a redelivered copy only adds a row). So: rank by row count, count
 * the top candidates exactly, and keep the answer when its last user has more
 * events than any user left out could have (the last candidate's row count);
 * otherwise, with copies or ties at the edge, count everyone.
 */
export function createClickHousePowerUsers(rows: Rows, within: (r: Scope) => string): AnalyticsStore["mostActiveUsers"] {
  const everyone = (r: Scope, limit: number) =>
    rows<{ distinct_id: string; n: string }>(
      `SELECT distinct_id, uniqExact(uuid) AS n FROM events WHERE ${within(r)}
       GROUP BY distinct_id ORDER BY n DESC, distinct_id ASC LIMIT ${chInt(limit)}`,
    );

  async function candidates(r: Scope, limit: number) {
    const k = Math.max(leastCandidates, limit * 4);
    const ranked = await rows<{ distinct_id: string; c: string }>(
      `SELECT distinct_id, count() AS c FROM events WHERE ${within(r)} GROUP BY distinct_id ORDER BY c DESC LIMIT ${chInt(k)}`,
    );
    if (ranked.length === 0) return [];
    const exact = await rows<{ distinct_id: string; n: string }>(
      `SELECT distinct_id, uniqExact(uuid) AS n FROM events WHERE ${within(r)} AND distinct_id IN (${ranked.map((x) => chString(x.distinct_id)).join(", ")})
       GROUP BY distinct_id`,
    );
    const top = exact.sort((a, b) => Number(b.n) - Number(a.n) || byteOrder(a.distinct_id, b.distinct_id)).slice(0, limit);
    // Fewer rows than asked for: every user was a candidate.
    if (ranked.length < k) return top;
    const mostLeftOut = Number(ranked[ranked.length - 1].c);
    return top.length === limit && Number(top[limit - 1].n) > mostLeftOut ? top : undefined;
  }

  return async (r, limit) => {
    const out = (limit <= mostLimit ? await candidates(r, limit) : undefined) ?? (await everyone(r, limit));
    return out.map((x) => ({ distinctId: x.distinct_id, events: Number(x.n) }));
  };
}
