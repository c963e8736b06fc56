import type { ClickHouseClient } from "@clickhouse/client";
import type { EventEraser } from "../../access/access-store.js";
import { sleep } from "../../core/backoff.js";
import { chDateTime, chString } from "./clickhouse-literal.js";

const hourMs = 3_600_000;
/** How long an erasure waits for its mutations before answering anyway (they finish in the background). */
const mutationWaitMs = 120_000;

/**
 * Erasure and retention in ClickHouse: mutations (ALTER TABLE … DELETE; 18.16
 * has no lightweight DELETE), on the events and on the hourly users rollup,
 * issued only when there is something to delete (each mutation rewrites the
 * parts it touches) and awaited, so the answer means it is gone.
 */
export function createClickHouseEraser(client: ClickHouseClient): EventEraser {
  const count = async (where: string) => {
    const [{ n }] = await (await client.query({ query: `SELECT uniqExact(uuid) AS n FROM events WHERE ${where}`, format: "JSONEachRow" })).json<{
      n: string;
    }>();
    return Number(n);
  };
  async function mutate(events: string, rollup: string): Promise<void> {
    await client.command({ query: `ALTER TABLE events DELETE WHERE ${events}` });
    await client.command({ query: `ALTER TABLE project_user_hours DELETE WHERE ${rollup}` });
    const deadline = Date.now() + mutationWaitMs;
    while (Date.now() < deadline) {
      const [{ n }] = await (
        await client.query({
          query: "SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND table IN ('events', 'project_user_hours') AND is_done = 0",
          format: "JSONEachRow",
        })
      ).json<{ n: string }>();
      if (Number(n) === 0) return;
      await sleep(100);
    }
  }
  return {
    async eraseUser(projectId, distinctId) {
      const p = `project_id = ${chString(projectId)}`;
      const events = `${p} AND distinct_id = ${chString(distinctId)}`;
      const n = await count(events);
      // The rollup keeps the user as the hash the view computed; erase it even when no event is left.
      await mutate(events, `${p} AND user = toUUID(UUIDNumToString(sipHash128(${chString(distinctId)})))`);
      return n;
    },
    async deleteBefore(projectId, beforeMs) {
      // Whole hours, so the rollup's hour rows and the events go together.
      const cutoff = chDateTime(Math.floor(beforeMs / hourMs) * hourMs);
      const p = `project_id = ${chString(projectId)}`;
      const n = await count(`${p} AND event_timestamp < ${cutoff}`);
      if (n > 0) await mutate(`${p} AND event_timestamp < ${cutoff}`, `${p} AND hour < ${cutoff}`);
      return n;
    },
  };
}
