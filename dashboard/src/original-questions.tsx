import type { Api } from "./api.js";
import { firstLoad, type Range } from "./first-load.js";
import { count, counted, share } from "./format.js";
import { Empty, Tile } from "./tile.js";
import { useAnswer } from "./use-answer.js";

/** The original project's three questions: the most used feature, registered → paid, and the power users. */
export function OriginalQuestions(p: { api: Api; range: Range }) {
  const q = firstLoad(p.range);
  const feature = useAnswer(() => p.api.getMostUsedFeature(q.feature), [p.api, p.range]);
  const conversion = useAnswer(() => p.api.getConversionFunnel(q.conversion), [p.api, p.range]);
  const power = useAnswer(() => p.api.getMostActiveUsers(q.powerUsers), [p.api, p.range]);
  return (
    <>
      <Tile title="Most used feature" id="feature" answer={feature}>
        {(f) =>
          f.top.length === 0 ? (
            <Empty>No most_used_feature events with a feature in this range.</Empty>
          ) : (
            <ol class="ranked">
              {f.top.map((x) => (
                <li>
                  <span class="name">{x.feature}</span> <span data-value={String(x.count)}>{count(x.count)}</span>
                </li>
              ))}
            </ol>
          )
        }
      </Tile>
      <Tile title="Registered → paid" id="conversion" answer={conversion}>
        {(c) =>
          c.registered === 0n ? (
            <Empty>Nobody registered (user_registered) in this range.</Empty>
          ) : (
            <p class="big">
              <span data-value={String(c.conversionRate)}>{share(c.conversionRate)}</span>
              <span class="muted small">
                {" "}
                {count(c.paid)} of {count(c.registered)} registered users paid
              </span>
            </p>
          )
        }
      </Tile>
      <Tile title="Power users" id="power-users" answer={power}>
        {(u) =>
          u.users.length === 0 ? (
            <Empty>No events in this range.</Empty>
          ) : (
            <ol class="ranked">
              {u.users.map((x) => (
                <li>
                  <span class="name">{x.distinctId}</span> <span data-value={String(x.events)}>{counted(x.events, "event", "events")}</span>
                </li>
              ))}
            </ol>
          )
        }
      </Tile>
    </>
  );
}
