import type { ChartChoice } from "./first-load.js";
import { TextField } from "./text-field.js";

const maths = [
  ["total", "events"],
  ["unique_users", "unique users"],
  ["sum", "sum of"],
  ["avg", "average of"],
  ["min", "min of"],
  ["max", "max of"],
] as const;
const operators = [
  ["equals", "="],
  ["not_equals", "≠"],
  ["contains", "contains"],
  ["is_set", "is set"],
  ["is_not_set", "is not set"],
  ["gt", ">"],
  ["lt", "<"],
] as const;
export const needsProperty: ReadonlySet<string> = new Set(["sum", "avg", "min", "max"]);
const valueless = new Set(["is_set", "is_not_set"]);

/** Series, filters, breakdown and interval of the main chart; text fields apply on change (Enter or leaving the field). */
/** `onChoice` takes an update of the latest choice: two fields committed at once (one on leaving it, the next on Enter) both apply. */
export function TrendControls(p: { choice: ChartChoice; onChoice: (update: (was: ChartChoice) => ChartChoice) => void; events: string[] }) {
  const c = p.choice;
  const setSeries = (i: number, patch: Partial<ChartChoice["series"][number]>) =>
    p.onChoice((was) => ({ ...was, series: was.series.map((s, k) => (k === i ? { ...s, ...patch } : s)) }));
  const setFilter = (i: number, patch: Partial<ChartChoice["filters"][number]>) =>
    p.onChoice((was) => ({ ...was, filters: was.filters.map((f, k) => (k === i ? { ...f, ...patch } : f)) }));
  return (
    <div class="trend-controls" data-testid="trend-controls">
      <datalist id="event-names">
        {p.events.map((e) => (
          <option value={e} />
        ))}
      </datalist>
      {c.series.map((s, i) => (
        <div class="row" data-testid={`series-${i}`}>
          <select
            aria-label="math"
            name="math"
            value={s.math}
            onChange={(e) =>
              setSeries(i, { math: e.currentTarget.value, mathProperty: needsProperty.has(e.currentTarget.value) ? (s.mathProperty ?? "") : "" })
            }
          >
            {maths.map(([v, label]) => (
              <option value={v}>{label}</option>
            ))}
          </select>
          {needsProperty.has(s.math) && (
            <TextField
              value={s.mathProperty ?? ""}
              aria-label="numeric property"
              name="math-property"
              placeholder="property"
              onCommit={(v) => setSeries(i, { mathProperty: v })}
            />
          )}
          <TextField value={s.event} aria-label="event" name="event" list="event-names" placeholder="any event" onCommit={(v) => setSeries(i, { event: v })} />
          {c.series.length > 1 && (
            <button type="button" class="link" onClick={() => p.onChoice((was) => ({ ...was, series: was.series.filter((_, k) => k !== i) }))}>
              remove
            </button>
          )}
        </div>
      ))}
      {c.filters.map((f, i) => (
        <div class="row" data-testid={`filter-${i}`}>
          <span class="muted">where</span>
          <TextField
            value={f.property}
            aria-label="filter property"
            name="filter-property"
            placeholder="property"
            onCommit={(v) => setFilter(i, { property: v })}
          />
          <select
            aria-label="operator"
            name="operator"
            value={f.operator}
            onChange={(e) => setFilter(i, { operator: e.currentTarget.value, value: valueless.has(e.currentTarget.value) ? "" : f.value })}
          >
            {operators.map(([v, label]) => (
              <option value={v}>{label}</option>
            ))}
          </select>
          {!valueless.has(f.operator) && (
            <TextField value={f.value} aria-label="filter value" name="filter-value" placeholder="value" onCommit={(v) => setFilter(i, { value: v })} />
          )}
          <button type="button" class="link" onClick={() => p.onChoice((was) => ({ ...was, filters: was.filters.filter((_, k) => k !== i) }))}>
            remove
          </button>
        </div>
      ))}
      <div class="row">
        {c.series.length < 10 && (
          <button type="button" onClick={() => p.onChoice((was) => ({ ...was, series: [...was.series, { event: "", math: "unique_users" }] }))}>
            + series
          </button>
        )}
        <button
          type="button"
          data-testid="add-filter"
          onClick={() => p.onChoice((was) => ({ ...was, filters: [...was.filters, { property: "", operator: "equals", value: "" }] }))}
        >
          + filter
        </button>
        <label>
          Breakdown
          <TextField
            value={c.breakdown}
            name="breakdown"
            placeholder="property (none)"
            onCommit={(v) => p.onChoice((was) => ({ ...was, breakdown: v.trim() }))}
          />
        </label>
        <label>
          <input
            type="checkbox"
            name="compare"
            checked={c.compare}
            onChange={(e) => {
              const compare = e.currentTarget.checked; // read now: the update runs after the event
              p.onChoice((was) => ({ ...was, compare }));
            }}
          />
          previous period
        </label>
        <label>
          Interval
          <select
            name="interval"
            value={c.interval}
            onChange={(e) => {
              const interval = e.currentTarget.value;
              p.onChoice((was) => ({ ...was, interval }));
            }}
          >
            {["hour", "day", "week", "month"].map((x) => (
              <option value={x}>{x}</option>
            ))}
          </select>
        </label>
      </div>
    </div>
  );
}
