import type { AnalyticsStore, Scope } from "../../analytics/analytics-store.js";
import type { InsightRowsQuery } from "../../analytics/insights/insight-query.js";

/** One store call (one SQL statement on ClickHouse) and how long it took. */
export interface StoreCall {
  /** The tile that made it. */
  tile: string;
  what: string;
  ms: number;
}

// The start date tells a compared (previous) period from the current one.
const span = (s: Scope) => `${Math.round((s.endMs - s.startMs) / 86_400_000)} d from ${new Date(s.startMs).toISOString().slice(0, 10)}`;

/** A short, readable account of a call's arguments: enough to tell which SQL it ran. */
function describe(method: string, args: unknown[]): string {
  const scope = args[0] as Scope;
  const range = scope && typeof scope === "object" && "startMs" in scope ? span(scope) : "";
  if (method === "insightRows" || method === "insightTopValues") {
    const q = args[1] as InsightRowsQuery;
    const parts = [
      `${q.math}${q.mathProperty ? `(${q.mathProperty})` : ""} of ${q.event || "all events"}`,
      `per ${q.interval}`,
      ...q.filters.map((f) => `${f.property} ${f.operator}${f.value ? ` ${f.value}` : ""}`),
    ];
    if (method === "insightTopValues") {
      const by = args[2] as { by: string; property: string };
      parts.push(`top ${args[3]} by ${by.by === "event" ? "event name" : by.property}`);
    } else if (q.breakdown) parts.push(`by ${q.breakdown.by === "event" ? "event name" : q.breakdown.property} (${q.breakdown.kept.length} kept)`);
    return `${method}: ${parts.join(", ")}, ${range}`;
  }
  if (method === "funnel") return `funnel: ${(args[1] as string[]).join(" → ")}, ${range}`;
  if (method === "retention") {
    const q = args[1] as { startEvent: string; period: string; periods: number };
    return `retention: ${q.startEvent}, ${q.periods} ${q.period}s, ${range}`;
  }
  return `${method}: ${range}`;
}

/**
 * Wraps a store so every call is timed and described: run the dashboard's
 * tiles one at a time through the in-process service over it and the slowest
 * entries say which SQL a slow tile is waiting for.
 */
export function createTimedStore(store: AnalyticsStore) {
  const calls: StoreCall[] = [];
  let tile = "";
  const timed = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await value.apply(target, args);
        } finally {
          calls.push({ tile, what: describe(String(key), args), ms: performance.now() - t0 });
        }
      };
    },
  });
  return {
    store: timed,
    calls,
    /** Names the tile the following calls belong to. */
    setTile(name: string) {
      tile = name;
    },
  };
}
