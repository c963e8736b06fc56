import type { ClickHouseClient } from "@clickhouse/client";
import type { AnalyticsStore, Scope } from "../../analytics/analytics-store.js";
import { resolveRange } from "../../analytics/time-range.js";
import { defaultProjectId } from "../../core/access/project-model.js";
import { chDateTime, chString } from "../../storage/clickhouse/clickhouse-literal.js";
import type { ResultRow } from "./analytics-report.js";
import { routeCases } from "./analytics-routes.js";
import { interleaved, restGet } from "./analytics-timing.js";

export interface TimingOptions {
  samples: number;
  minSamples: number;
  warmup: number;
  /** Per figure. */
  budgetMs: number;
}

export const apiTarget = 1.25;
export const rollupTarget = 5;

/** Every route through REST next to the store call it makes, interleaved; ratio = REST p50 / direct p50. */
export async function compareRoutes(db: string, engineUrl: string, store: AnalyticsStore, t: TimingOptions, log: (s: string) => void): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  // BENCH_ROUTES=name,name… (as the report names them) times only those routes.
  const only = process.env.BENCH_ROUTES?.split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  for (const c of routeCases.filter((r) => !only || only.includes(r.name))) {
    const p = await interleaved(restGet(`${engineUrl}/api/v1/analytics/${c.path}`), () => c.direct(store), t);
    const ratio = p.a.p50 / p.b.p50;
    rows.push({
      db,
      figure: `${c.name}: REST vs store`,
      measured: p.a,
      baseline: p.b,
      ratio,
      target: `≤ ${apiTarget.toFixed(2)}×`,
      pass: !p.error && ratio <= apiTarget,
      note: p.error,
    });
    log(
      `  ${db} ${c.name}: REST p50 ${p.a.p50.toFixed(1)} ms, store p50 ${p.b.p50.toFixed(1)} ms (${p.a.samples.length} pairs)${p.error ? ` — ${p.error}` : ""}`,
    );
  }
  return rows;
}

/**
 * DAU (30 days) and MAU (6 months) in UTC from the user_hours rollup (the
 * store's SQL for whole-hour zones) next to the raw scan of events (the SQL
 * the store runs for other zones, here with UTC), interleaved; both answers
 * must agree. Ratio = raw p50 / rollup p50.
 */
export async function compareRollup(
  client: ClickHouseClient,
  store: AnalyticsStore,
  t: TimingOptions,
  log: (s: string) => void,
): Promise<{ rows: ResultRow[]; lines: string[] }> {
  const rows = async <T>(query: string) => (await client.query({ query, format: "JSONEachRow" })).json<T>();
  const within = (r: Scope) =>
    `project_id = ${chString(r.projectId)} AND event_timestamp >= ${chDateTime(r.startMs)} AND event_timestamp < ${chDateTime(r.endMs)}`;
  const cases = [
    {
      name: "DAU 30 d UTC",
      range: (): Scope => ({ projectId: defaultProjectId, ...resolveRange({ tz: "UTC", from: "", to: "", count: 30 }, Date.now()) }),
      rollup: (r: Scope) => store.dailyActiveUsers(r),
      raw: async (r: Scope) =>
        (
          await rows<{ d: string; users: string }>(
            `SELECT toString(toDate(event_timestamp, ${chString(r.tz)})) AS d, uniqExact(distinct_id) AS users FROM events WHERE ${within(r)} GROUP BY d ORDER BY d`,
          )
        ).map((x) => ({ date: x.d, users: Number(x.users) })),
    },
    {
      name: "MAU 6 mo UTC",
      range: (): Scope => ({ projectId: defaultProjectId, ...resolveRange({ tz: "UTC", from: "", to: "", count: 6, unit: "month" }, Date.now()) }),
      rollup: (r: Scope) => store.monthlyActiveUsers(r),
      raw: async (r: Scope) =>
        (
          await rows<{ m: string; users: string }>(
            `SELECT toString(toStartOfMonth(event_timestamp, ${chString(r.tz)})) AS m, uniqExact(distinct_id) AS users FROM events WHERE ${within(r)} GROUP BY m ORDER BY m`,
          )
        ).map((x) => ({ month: x.m.slice(0, 7), users: Number(x.users) })),
    },
  ];
  const out: ResultRow[] = [];
  const lines: string[] = [];
  for (const c of cases) {
    const r = c.range();
    // The work each side does: events scanned vs (hour, user) rows the rollup holds.
    const hours = `project_id = ${chString(r.projectId)} AND hour >= ${chDateTime(r.startMs)} AND hour < ${chDateTime(r.endMs)}`;
    const [w] = await rows<{ events: string; entries: string }>(
      `SELECT (SELECT count() FROM events WHERE ${within(r)}) AS events, count() AS entries FROM project_user_hours WHERE ${hours}`,
    );
    lines.push(
      `${c.name}: the raw scan reads ${Number(w.events).toLocaleString("en-US")} events; the rollup reads ` +
        `${Number(w.entries).toLocaleString("en-US")} (hour, user) rows (${(Number(w.events) / Number(w.entries)).toFixed(1)} events per row)`,
    );
    const same = JSON.stringify(await c.rollup(r)) === JSON.stringify(await c.raw(r));
    const p = await interleaved(
      () => c.raw(r),
      () => c.rollup(r),
      t,
    );
    const ratio = p.a.p50 / p.b.p50;
    out.push({
      db: "clickhouse",
      figure: `${c.name}: raw scan vs rollup`,
      measured: p.a,
      baseline: p.b,
      ratio,
      target: `≥ ${rollupTarget}×`,
      pass: !p.error && same && ratio >= rollupTarget,
      note: p.error ?? (same ? undefined : "rollup and raw scan answers differ"),
    });
    log(`  ${c.name}: raw p50 ${p.a.p50.toFixed(1)} ms, rollup p50 ${p.b.p50.toFixed(1)} ms, answers ${same ? "equal" : "DIFFER"}`);
  }
  return { rows: out, lines };
}
