import { useState } from "preact/hooks";
import type { Api } from "./api.js";
import { type ChartChoice, defaultChart, mainChart, type Range } from "./first-load.js";
import { count, pointLabel } from "./format.js";
import { LineChart } from "./line-chart.js";
import { Empty, Tile } from "./tile.js";
import { needsProperty, TrendControls } from "./trend-controls.js";
import { useAnswer } from "./use-answer.js";

const mathNames: Record<string, string> = { total: "events", unique_users: "users", sum: "sum", avg: "average", min: "min", max: "max" };

/** The main chart: the insights query with the series, filters, breakdown and interval chosen above it, and its numbers as a table. */
export function TrendTile(p: { api: Api; range: Range; events: string[] }) {
  const [choice, setChoice] = useState<ChartChoice>(defaultChart);
  // A series or filter being written (a sum without its property, a filter without property or value) is not sent yet.
  const complete = {
    ...choice,
    series: choice.series.filter((s) => !needsProperty.has(s.math) || (s.mathProperty ?? "") !== ""),
    filters: choice.filters.filter((f) => f.property !== "" && (f.value !== "" || f.operator.startsWith("is_"))),
  };
  const sent = complete.series.length > 0 ? complete : { ...complete, series: [{ event: "", math: "total" }] };
  const answer = useAnswer(() => p.api.queryTrends(mainChart(p.range, sent)), [p.api, p.range, JSON.stringify(sent)]);
  return (
    <Tile title="Trends" id="trends" answer={answer} wide head={<TrendControls choice={choice} onChoice={setChoice} events={p.events} />}>
      {(res) => {
        const period = res.current!;
        const labels = period.points.map((x, i) => (i < period.observedPoints ? pointLabel(x) : `${pointLabel(x)} (not yet)`));
        const nameOf = (r: (typeof period.results)[number]) => {
          const s = sent.series[r.series];
          const name = `${r.label} · ${mathNames[r.math] ?? r.math}${s?.mathProperty ? ` of ${s.mathProperty}` : ""}`;
          return r.breakdownValue ? `${name} · ${r.breakdownValue}` : name;
        };
        const lines = period.results.map((r) => ({ label: nameOf(r), values: r.values.map((v, i) => (i < period.observedPoints ? v : null)) }));
        // The previous period, dashed, day by day (or hour by hour) under the current one. Weeks and months of two
        // periods of the same length do not pair up (a month's range may touch two months before it): not drawn.
        const pairable = res.interval === "day" || res.interval === "hour";
        const before = (pairable ? (res.previous?.results ?? []) : []).map((r) => ({
          label: `${nameOf(r)} (previous period)`,
          values: period.points.map((_, i) => r.values[i] ?? null),
          dashed: true,
        }));
        const nothing = period.results.every((r) => r.values.every((v) => v === 0));
        return (
          <>
            {nothing ? (
              <Empty>No matching events in this range{choice.series.some((s) => s.event) ? " (no such event, or none passed the filters)" : ""}.</Empty>
            ) : (
              <LineChart labels={labels} lines={[...lines, ...before]} testid="trend-chart" />
            )}
            <details>
              <summary>Numbers</summary>
              <table class="numbers" data-testid="trend-numbers">
                <thead>
                  <tr>
                    <th>{res.interval}</th>
                    {lines.map((l) => (
                      <th>{l.label}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {period.points.map((point, i) => (
                    <tr class={i < period.observedPoints ? "" : "future"}>
                      <td>{pointLabel(point)}</td>
                      {period.results.map((r) => (
                        <td data-value={String(r.values[i])}>{i < period.observedPoints ? count(r.values[i]) : "not yet"}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <td>whole range</td>
                    {period.results.map((r) => (
                      <td data-value={String(r.aggregate)}>{count(r.aggregate)}</td>
                    ))}
                  </tr>
                </tfoot>
              </table>
            </details>
          </>
        );
      }}
    </Tile>
  );
}
