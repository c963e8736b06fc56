import type { ClickHouseClient } from "@clickhouse/client";
import type { EventEraser } from "../../access/access-store.js";
import { sleep } from "../../core/backoff.js";
import { chDateTime, chInt, chString } from "./clickhouse-literal.js";
import { type ClickHouseTopology, singleServer } from "./clickhouse-topology.js";

const hourMs = 3_600_000;
/** How long an erasure waits for its mutations before answering anyway (they finish in the background). */
const mutationWaitMs = 120_000;

/**
 * Erasure and retention in ClickHouse: mutations (ALTER TABLE … DELETE; 18.16
 * has no lightweight DELETE), on the events and on the hourly users rollup
 * (erasure: the person's properties and links too; retention: the hourly
 * event counts); after an erasure the hours it touched are marked changed, so
 * their exact counts are read from the events until counted again,
 * issued only when there is something to delete (each mutation rewrites the
 * parts it touches) and awaited, so the answer means it is gone.
 */
export function createClickHouseEraser(client: ClickHouseClient, topology: ClickHouseTopology = singleServer()): EventEraser {
  const count = async (where: string) => {
    const [{ n }] = await (await client.query({ query: `SELECT uniqExact(uuid) AS n FROM events WHERE ${where}`, format: "JSONEachRow" })).json<{
      n: string;
    }>();
    return Number(n);
  };
  /** Mutations on each table with its condition, awaited. */
  async function mutate(where: Record<string, string>): Promise<void> {
    for (const [table, condition] of Object.entries(where))
      await client.command({ query: `ALTER TABLE ${topology.alterTarget(table)} DELETE WHERE ${condition}` });
    const deadline = Date.now() + mutationWaitMs;
    while (Date.now() < deadline) {
      const [{ n }] = await (
        await client.query({
          query: topology.runningMutations(),
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
      // How many, and the hours they are in, in one read.
      const [{ n, touched }] = await (
        await client.query({
          query: `SELECT uniqExact(uuid) AS n, groupUniqArray(toUInt32(toStartOfHour(event_timestamp))) AS touched FROM events WHERE ${events}`,
          format: "JSONEachRow",
        })
      ).json<{ n: string; touched: number[] }>();
      const id = chString(distinctId);
      // The rollup keeps the user as the hash the view computed; erase it even when no event is left.
      await mutate({
        events,
        project_user_hours: `${p} AND user = toUUID(UUIDNumToString(sipHash128(${id})))`,
        person_properties: `${p} AND distinct_id = ${id}`,
        person_links: `${p} AND (distinct_id = ${id} OR linked_id = ${id})`,
      });
      // After the events are gone: a count taken from now on cannot include them (clickhouse-count-settler.ts).
      if (touched.length > 0) {
        const hours = touched.map((hour) => chInt(Number(hour))).join(", ");
        await client.command({
          query: `INSERT INTO event_hour_changes (project_id, hour, n, fingerprint)
            SELECT ${chString(projectId)}, toDateTime(h), toUInt64(1), rand64() FROM (SELECT arrayJoin([${hours}]) AS h)`,
        });
      }
      return Number(n);
    },
    async deleteBefore(projectId, beforeMs) {
      // Whole hours, so the rollup's hour rows and the events go together.
      const cutoff = chDateTime(Math.floor(beforeMs / hourMs) * hourMs);
      const p = `project_id = ${chString(projectId)}`;
      const n = await count(`${p} AND event_timestamp < ${cutoff}`);
      if (n > 0) {
        await mutate({
          events: `${p} AND event_timestamp < ${cutoff}`,
          project_user_hours: `${p} AND hour < ${cutoff}`,
          event_hour_changes: `${p} AND hour < ${cutoff}`,
          event_hour_counts: `${p} AND hour < ${cutoff}`,
        });
      }
      return n;
    },
  };
}
