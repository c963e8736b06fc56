import type { QueryTrendsResponse } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { count } from "./format.js";
import { Empty, Tile } from "./tile.js";
import type { Answer } from "./use-answer.js";

/** Ranked values of a breakdown with bars proportional to their aggregate, as Plausible and Umami list pages and sources. */
export function TopList(p: { id: string; title: string; unit: string; answer: Answer<QueryTrendsResponse>; empty: string }) {
  return (
    <Tile title={p.title} id={p.id} answer={p.answer}>
      {(res) => {
        const rows = (res.current?.results ?? []).filter((r) => r.aggregate > 0);
        if (rows.length === 0) return <Empty>{p.empty}</Empty>;
        const most = Math.max(...rows.map((r) => r.aggregate));
        return (
          <table class="top-list">
            <thead>
              <tr>
                <th />
                <th>{p.unit}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td class="bar-cell">
                    <span class="bar" style={{ width: `${(100 * r.aggregate) / most}%` }} />
                    <span class="name">{r.breakdownValue}</span>
                  </td>
                  <td data-value={String(r.aggregate)}>{count(r.aggregate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      }}
    </Tile>
  );
}
