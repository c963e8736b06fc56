import type { Range } from "./first-load.js";
import { addDays, today } from "./format.js";
import type { SavedKey } from "./session.js";
import { TextField } from "./text-field.js";

const presets = [
  { label: "Today", days: 1 },
  { label: "7 days", days: 7 },
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
];

/** Dates the API takes (from 2000 on, from not after to): anything else is a date still being typed. */
function usable(from: string, to: string): boolean {
  return /^2\d{3}-\d{2}-\d{2}$/.test(from) && /^2\d{3}-\d{2}-\d{2}$/.test(to) && from <= to;
}

export function lastDays(days: number, tz: string): Range {
  const to = today(tz);
  return { from: addDays(to, -(days - 1)), to, tz };
}

// The browser's list (Chromium's names some zones by their older aliases, e.g. Asia/Calcutta; the API takes both).
const zones = (() => {
  const listed = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return listed.includes("UTC") ? listed : ["UTC", ...listed];
})();

/** Project, date range and time zone: what every tile answers for. */
export function Controls(p: {
  range: Range;
  onRange: (r: Range) => void;
  projects: SavedKey[];
  project: string;
  onProject: (id: string) => void;
  onAddKey: () => void;
  onLogout: () => void;
}) {
  const r = p.range;
  return (
    <header class="controls">
      <h1>InsightPlus</h1>
      <label>
        Project
        <select data-testid="project" value={p.project} onChange={(e) => p.onProject(e.currentTarget.value)}>
          {p.projects.map((k) => (
            <option value={k.projectId}>{k.name === k.projectId ? k.name : `${k.name} (${k.projectId})`}</option>
          ))}
        </select>
      </label>
      <button type="button" class="link" onClick={p.onAddKey}>
        + key
      </button>
      <span class="presets">
        {presets.map((x) => (
          <button
            type="button"
            data-testid={`range-${x.days}`}
            class={lastDays(x.days, r.tz).from === r.from && r.to === today(r.tz) ? "on" : ""}
            onClick={() => p.onRange(lastDays(x.days, r.tz))}
          >
            {x.label}
          </button>
        ))}
      </span>
      <label>
        From
        <TextField
          type="date"
          data-testid="from"
          value={r.from}
          max={r.to}
          commitOnChange={false}
          onCommit={(from) => usable(from, r.to) && p.onRange({ ...r, from })}
        />
      </label>
      <label>
        To
        <TextField
          type="date"
          data-testid="to"
          value={r.to}
          min={r.from}
          commitOnChange={false}
          onCommit={(to) => usable(r.from, to) && p.onRange({ ...r, to })}
        />
      </label>
      <label>
        Time zone
        <select data-testid="tz" value={r.tz} onChange={(e) => p.onRange({ ...r, tz: e.currentTarget.value })}>
          {(zones.includes(r.tz) ? zones : [r.tz, ...zones]).map((z) => (
            <option value={z}>{z}</option>
          ))}
        </select>
      </label>
      <button type="button" class="link" onClick={p.onLogout}>
        Sign out
      </button>
    </header>
  );
}
