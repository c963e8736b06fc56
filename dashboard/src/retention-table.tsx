import { useState } from "preact/hooks";
import type { Api } from "./api.js";
import { firstLoad, type Range } from "./first-load.js";
import { count, share } from "./format.js";
import { TextField } from "./text-field.js";
import { Empty, Tile } from "./tile.js";
import { useAnswer } from "./use-answer.js";

/** Retention as a cohort heat map: one row per cohort, one cell per later period, darker for more users returning. */
export function RetentionTable(p: { api: Api; range: Range; events: string[] }) {
  const defaults = firstLoad(p.range).retention;
  const [startEvent, setStartEvent] = useState(defaults.startEvent ?? "");
  const [period, setPeriod] = useState("day");
  const answer = useAnswer(
    () => (startEvent ? p.api.getRetention({ ...defaults, startEvent, period, periods: period === "week" ? 8 : 7 }) : Promise.resolve(undefined)),
    [p.api, p.range, startEvent, period],
  );
  const head = (
    <div class="row">
      <label>
        Users who did
        <TextField value={startEvent} name="retention-start" list="event-names" onCommit={setStartEvent} />
      </label>
      <label>
        came back, by
        <select name="retention-period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
          <option value="day">day</option>
          <option value="week">week</option>
        </select>
      </label>
    </div>
  );
  return (
    <Tile title="Retention" id="retention" answer={answer} head={head} wide>
      {(r) => {
        if (!r) return <Empty>Name the event that starts a cohort.</Empty>;
        if (r.cohorts.length === 0) return <Empty>Nobody did {startEvent} in this range.</Empty>;
        const periods = Math.max(...r.cohorts.map((c) => c.returning.length));
        return (
          <table class="heatmap" data-testid="retention-table">
            <thead>
              <tr>
                <th>cohort</th>
                <th>users</th>
                {Array.from({ length: periods }, (_, k) => (
                  <th>
                    {r.period} {k}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {r.cohorts.map((c) => (
                <tr>
                  <td>{c.period}</td>
                  <td data-value={String(c.users)}>{count(c.users)}</td>
                  {Array.from({ length: periods }, (_, k) =>
                    k < c.returning.length ? (
                      <td
                        data-value={String(c.rates[k])}
                        style={{ background: `rgba(79, 70, 229, ${0.08 + 0.8 * c.rates[k]})`, color: c.rates[k] > 0.5 ? "#fff" : undefined }}
                        title={`${count(c.returning[k])} users`}
                      >
                        {share(c.rates[k])}
                      </td>
                    ) : (
                      <td class="future" title="this period has not happened yet">
                        —
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        );
      }}
    </Tile>
  );
}
