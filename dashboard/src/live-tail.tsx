import { useEffect, useState } from "preact/hooks";
import type { TailedEvent } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { type Api, reasonOf } from "./api.js";
import { count } from "./format.js";

const kept = 50;

/** The project's events as they are queued, newest first, over Connect server streaming (fetch). */
export function LiveTail(p: { api: Api }) {
  const [events, setEvents] = useState<TailedEvent[]>([]);
  const [status, setStatus] = useState<"connecting" | "live" | "stopped">("connecting");
  const [problem, setProblem] = useState<string | undefined>();
  const [skipped, setSkipped] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setEvents([]);
    (async () => {
      for (let attempt = 0; !abort.signal.aborted; attempt++) {
        try {
          setStatus("connecting");
          for await (const batch of p.api.tailEvents({}, { signal: abort.signal })) {
            setStatus("live");
            setProblem(undefined);
            attempt = 0;
            if (batch.skipped > 0n) setSkipped((n) => n + Number(batch.skipped));
            if (batch.events.length > 0) setEvents((old) => [...[...batch.events].reverse(), ...old].slice(0, kept));
          }
        } catch (e) {
          if (abort.signal.aborted) return;
          setProblem(reasonOf(e));
        }
        // The stream ended (a server restarting) or failed: reconnect, backing off up to 10 s.
        setStatus("stopped");
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
      }
    })();
    return () => abort.abort();
  }, [p.api]);
  return (
    <section class="tile wide" data-testid="live-tail" data-status={status}>
      <h2>
        Live events <span class={`status ${status}`}>{status}</span>
      </h2>
      {problem && <p class="error">{problem}</p>}
      {skipped > 0 && <p class="muted small">{count(skipped)} events were too many to show.</p>}
      {events.length === 0 ? (
        <p class="muted empty">{status === "live" ? "Waiting for events… anything captured now shows here." : "Connecting…"}</p>
      ) : (
        <table class="numbers">
          <thead>
            <tr>
              <th>time</th>
              <th>event</th>
              <th>user</th>
            </tr>
          </thead>
          <tbody data-testid="live-events">
            {events.map((e) => (
              <tr data-uuid={e.uuid}>
                <td>{new Date(e.timestamp).toLocaleTimeString()}</td>
                <td>{e.event}</td>
                <td>{e.distinctId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
