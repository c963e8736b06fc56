import { useState } from "preact/hooks";
import type { Api } from "./api.js";
import { firstLoad, type Range } from "./first-load.js";
import { counted, share } from "./format.js";
import { TextField } from "./text-field.js";
import { Empty, Tile } from "./tile.js";
import { useAnswer } from "./use-answer.js";

/** An ordered funnel of 2–10 steps with a conversion window, as bars: users reaching each step and the rates. */
export function FunnelBuilder(p: { api: Api; range: Range; events: string[] }) {
  const defaults = firstLoad(p.range).funnel;
  const [steps, setSteps] = useState<string[]>(defaults.steps ?? []);
  const [windowDays, setWindowDays] = useState(defaults.windowDays ?? 14);
  const named = steps.filter((s) => s.trim() !== "");
  const answer = useAnswer(
    () => (named.length >= 2 ? p.api.getFunnel({ ...firstLoad(p.range).funnel, steps: named, windowDays }) : Promise.resolve(undefined)),
    [p.api, p.range, named.join("\u0000"), windowDays],
  );
  const head = (
    <div class="trend-controls">
      {steps.map((s, i) => (
        <div class="row">
          <span class="muted">{i + 1}.</span>
          <TextField
            value={s}
            aria-label={`step ${i + 1}`}
            name="funnel-step"
            list="event-names"
            onCommit={(v) => setSteps(steps.map((x, k) => (k === i ? v : x)))}
          />
          {steps.length > 2 && (
            <button type="button" class="link" onClick={() => setSteps(steps.filter((_, k) => k !== i))}>
              remove
            </button>
          )}
        </div>
      ))}
      <div class="row">
        {steps.length < 10 && (
          <button type="button" onClick={() => setSteps([...steps, ""])}>
            + step
          </button>
        )}
        <label>
          within
          <input type="number" name="window-days" min={1} max={365} value={windowDays} onChange={(e) => setWindowDays(Number(e.currentTarget.value) || 14)} />
          days
        </label>
      </div>
    </div>
  );
  return (
    <Tile title="Funnel" id="funnel" answer={answer} head={head}>
      {(f) =>
        !f ? (
          <Empty>Name at least two steps.</Empty>
        ) : f.steps[0].users === 0n ? (
          <Empty>Nobody did {f.steps[0].event} in this range.</Empty>
        ) : (
          <ol class="funnel">
            {f.steps.map((s, i) => (
              <li>
                <span class="bar" style={{ width: `${100 * s.conversionRate}%` }} />
                <span class="name">{s.event}</span>
                <span data-value={String(s.users)}>{counted(s.users, "user", "users")}</span>
                <span class="muted small">
                  {share(s.conversionRate)} of the first step{i > 0 ? `, ${share(s.stepConversionRate)} of the previous` : ""}
                </span>
              </li>
            ))}
          </ol>
        )
      }
    </Tile>
  );
}
