import type { Range } from "./first-load.js";
import { addDays, today } from "./format.js";
import type { SavedKey } from "./session.js";

const presets = [
  { label: "Today", days: 1 },
  { label: "7 days", days: 7 },
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
];

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
        <input
          type="date"
          data-testid="from"
          value={r.from}
          max={r.to}
          onChange={(e) => e.currentTarget.value && p.onRange({ ...r, from: e.currentTarget.value })}
        />
      </label>
      <label>
        To
        <input
          type="date"
          data-testid="to"
          value={r.to}
          min={r.from}
          onChange={(e) => e.currentTarget.value && p.onRange({ ...r, to: e.currentTarget.value })}
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
