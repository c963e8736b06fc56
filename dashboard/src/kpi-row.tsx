import type { QueryTrendsResponse } from "../../gen/insightplus/v1/analytics_service_pb.js";
import type { Api } from "./api.js";
import { firstLoad, type Range } from "./first-load.js";
import { change, count, share } from "./format.js";
import { useAnswer } from "./use-answer.js";

/** The mean of a series over the points that have begun (later ones have not happened yet). */
export function meanObserved(period: QueryTrendsResponse["current"]): number {
  const n = period?.observedPoints ?? 0;
  const values = period?.results[0]?.values.slice(0, n) ?? [];
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

interface Kpi {
  id: string;
  label: string;
  hint: string;
  now: number;
  before: number;
  rate?: boolean;
}

async function kpis(api: Api, r: Range): Promise<Kpi[]> {
  const q = firstLoad(r);
  const [main, newUsers, dau, wau, mau, conversion, conversionBefore] = await Promise.all([
    api.queryTrends(q.mainChart),
    api.queryTrends(q.newUsers),
    api.queryTrends(q.dau),
    api.queryTrends(q.wau),
    api.queryTrends(q.mau),
    api.getConversionFunnel(q.conversion),
    api.getConversionFunnel(q.conversionBefore),
  ]);
  const aggregate = (x: QueryTrendsResponse, when: "current" | "previous", i: number) => x[when]?.results[i]?.aggregate ?? 0;
  return [
    {
      id: "dau",
      label: "DAU",
      hint: "distinct users per day, averaged over the days so far",
      now: meanObserved(dau.current),
      before: meanObserved(dau.previous),
    },
    {
      id: "wau",
      label: "WAU",
      hint: "distinct users in the 7 days up to the range's last day (before: the 7 days before those)",
      now: aggregate(wau, "current", 0),
      before: aggregate(wau, "previous", 0),
    },
    {
      id: "mau",
      label: "MAU",
      hint: "distinct users in the 30 days up to the range's last day (before: the 30 days before those)",
      now: aggregate(mau, "current", 0),
      before: aggregate(mau, "previous", 0),
    },
    { id: "events", label: "Events", hint: "events in the range", now: aggregate(main, "current", 0), before: aggregate(main, "previous", 0) },
    {
      id: "new-users",
      label: "New users",
      hint: "distinct users with user_registered",
      now: aggregate(newUsers, "current", 0),
      before: aggregate(newUsers, "previous", 0),
    },
    {
      id: "conversion",
      label: "Registered → paid",
      hint: "users with user_registered who also have payment_success",
      now: conversion.conversionRate,
      before: conversionBefore.conversionRate,
      rate: true,
    },
  ];
}

export function KpiRow(p: { api: Api; range: Range }) {
  const answer = useAnswer(() => kpis(p.api, p.range), [p.api, p.range]);
  if (answer.state !== "ready") {
    return (
      <section class="kpis" data-testid="kpis" data-state={answer.state}>
        {answer.state === "failed" ? <p class="error">Could not load: {answer.reason}</p> : <p class="muted">Loading…</p>}
      </section>
    );
  }
  return (
    <section class="kpis" data-testid="kpis" data-state="ready">
      {answer.value.map((k) => {
        const c = change(k.now, k.before);
        return (
          <div class="kpi" data-testid={`kpi-${k.id}`} data-value={String(k.now)} data-previous={String(k.before)} title={k.hint}>
            <span class="label">{k.label}</span>
            <span class="value">{k.rate ? share(k.now) : count(k.now)}</span>
            <span class={`change ${c.direction}`}>{c.text}</span>
            <span class="muted small">previous period: {k.rate ? share(k.before) : count(k.before)}</span>
          </div>
        );
      })}
    </section>
  );
}
