import { useMemo, useState } from "preact/hooks";
import { type Api, createApi } from "./api.js";
import { Controls, lastDays } from "./controls.js";
import { firstLoad, propertyTile, propertyTiles, type Range } from "./first-load.js";
import { browserZone } from "./format.js";
import { FunnelBuilder } from "./funnel-builder.js";
import { KpiRow } from "./kpi-row.js";
import { LiveTail } from "./live-tail.js";
import { Login } from "./login.js";
import { OriginalQuestions } from "./original-questions.js";
import { RetentionTable } from "./retention-table.js";
import { chooseProject, currentProject, forgetKeys, type SavedKey, savedKeys } from "./session.js";
import { TopList } from "./top-list.js";
import { TrendTile } from "./trend-tile.js";
import { useAnswer } from "./use-answer.js";

/** Login until a read key is known for this tab, then the dashboard of the chosen project. */
export function App() {
  const [keys, setKeys] = useState(savedKeys);
  const [project, setProject] = useState<string | undefined>(() => currentProject() ?? keys[0]?.projectId);
  const [adding, setAdding] = useState(false);
  const current = keys.find((k) => k.projectId === project);
  if (!current || adding) {
    const login = (k: SavedKey) => {
      setKeys(savedKeys());
      setProject(k.projectId);
      setAdding(false);
    };
    return <Login onLogin={login} note={adding ? "Add another project's read key; switch between them with the project picker." : undefined} />;
  }
  const pick = (id: string) => {
    chooseProject(id);
    setProject(id);
  };
  const logout = () => {
    forgetKeys();
    setKeys([]);
    setProject(undefined);
  };
  return <Dashboard key={current.projectId} saved={current} keys={keys} onProject={pick} onAddKey={() => setAdding(true)} onLogout={logout} />;
}

function Dashboard(p: { saved: SavedKey; keys: SavedKey[]; onProject: (id: string) => void; onAddKey: () => void; onLogout: () => void }) {
  const api = useMemo(() => createApi(p.saved.key), [p.saved.key]);
  const [range, setRange] = useState<Range>(() => lastDays(30, browserZone()));
  const topEvents = useAnswer(() => api.queryTrends(firstLoad(range).topEvents), [api, range]);
  const events = topEvents.state === "ready" ? (topEvents.value.current?.results.filter((r) => !r.other).map((r) => r.breakdownValue) ?? []) : [];
  return (
    <>
      <Controls
        range={range}
        onRange={setRange}
        projects={p.keys}
        project={p.saved.projectId}
        onProject={p.onProject}
        onAddKey={p.onAddKey}
        onLogout={p.onLogout}
      />
      <KpiRow api={api} range={range} />
      <div class="grid">
        <TrendTile api={api} range={range} events={events} />
        <TopList id="top-events" title="Top events" unit="events" answer={topEvents} empty="No events in this range yet: send some (README, Quick start)." />
        {propertyTiles.map((t) => (
          <PropertyList api={api} range={range} tile={t} />
        ))}
        <OriginalQuestions api={api} range={range} />
        <FunnelBuilder api={api} range={range} events={events} />
        <RetentionTable api={api} range={range} events={events} />
        <LiveTail api={api} />
      </div>
    </>
  );
}

/** Users per value of a property (pages, referrers, browsers, countries); a fallback property when no event has the first. */
function PropertyList(p: { api: Api; range: Range; tile: (typeof propertyTiles)[number] }) {
  const t = p.tile;
  const answer = useAnswer(async () => {
    const first = await p.api.queryTrends(propertyTile(p.range, t.property));
    const fallback = "fallback" in t ? t.fallback : undefined;
    return first.current?.results.length === 0 && fallback ? p.api.queryTrends(propertyTile(p.range, fallback)) : first;
  }, [p.api, p.range]);
  const names = "fallback" in t ? `${t.property} or ${t.fallback}` : t.property;
  return <TopList id={t.id} title={t.title} unit="users" answer={answer} empty={`No event in this range carries ${names}.`} />;
}
