/**
 * What the worker's insert format costs, alone: the same queued events
 * written as JSONEachRow and as RowBinary (the worker's two encoders, from the
 * queue's bytes), inserted in batches into a table with the events columns and
 * no views, formats alternating by round. Reports per row the Node CPU to
 * encode and the ClickHouse server's CPU (its process, from /proc) to take it.
 *   npm run bench:insert-formats
 * Env: BENCH_ROWS (200000) BENCH_BATCH (1000) BENCH_ROUNDS (5)
 */
import { Readable } from "node:stream";
import { createClient } from "@clickhouse/client";
import { encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { clickHouseRowBinaryFromQueued, rowBinaryColumns } from "../../storage/clickhouse/clickhouse-row-binary.js";
import { clickHouseRowFromQueued, rowsBytes } from "../../storage/clickhouse/clickhouse-row-text.js";
import { startLocalClickHouse } from "../../test/support/services/index.js";
import { commandLine, machineSummary } from "../shared/bench-header.js";
import { median } from "../shared/measure.js";
import { table } from "../shared/report.js";
import { cpuUnder } from "../worker/worker-bench-cpu.js";
import { makeEvents } from "../worker/worker-bench-events.js";

const rows = Number(process.env.BENCH_ROWS ?? 200_000);
const batch = Number(process.env.BENCH_BATCH ?? 1000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const formats = {
  JSONEachRow: { encode: clickHouseRowFromQueued, query: "INSERT INTO plain FORMAT JSONEachRow" },
  RowBinary: { encode: clickHouseRowBinaryFromQueued, query: `INSERT INTO plain (${rowBinaryColumns}) FORMAT RowBinary` },
};

async function main() {
  console.log(commandLine("bench/storage/insert-format-bench.ts"));
  console.log(machineSummary());
  const ch = await startLocalClickHouse();
  const client = createClient({ url: ch.url, max_open_connections: 1 });
  try {
    const queued = makeEvents(rows).map(encodeQueuedEvent);
    const columns = `project_id String, uuid UUID, event String, distinct_id String, properties String,
      event_timestamp DateTime('UTC'), timestamp_ms UInt64, received_at DateTime('UTC'), timestamp_clamped UInt8`;
    const results: Record<string, { node: number[]; server: number[] }> = { JSONEachRow: { node: [], server: [] }, RowBinary: { node: [], server: [] } };
    for (let round = 0; round <= rounds; round++) {
      const order = round % 2 === 0 ? (["JSONEachRow", "RowBinary"] as const) : (["RowBinary", "JSONEachRow"] as const);
      for (const name of order) {
        await client.command({ query: "DROP TABLE IF EXISTS plain" });
        await client.command({
          query: `CREATE TABLE plain (${columns}) ENGINE = ReplacingMergeTree() ORDER BY (event, toDate(event_timestamp), distinct_id, uuid)`,
        });
        const format = formats[name];
        const cpu0 = process.cpuUsage();
        const encoded = queued.map((q) => format.encode(q)!);
        const node = process.cpuUsage(cpu0);
        const server0 = cpuUnder(ch.dir);
        for (let i = 0; i < encoded.length; i += batch) {
          const sent = await client.exec({ query: format.query, values: Readable.from(rowsBytes(encoded.slice(i, i + batch)), { objectMode: false }) });
          for await (const _ of sent.stream) {
            // drain the (empty) answer
          }
        }
        const server = cpuUnder(ch.dir) - server0;
        const [{ n }] = await (await client.query({ query: "SELECT count() AS n FROM plain", format: "JSONEachRow" })).json<{ n: string }>();
        if (Number(n) !== rows) throw new Error(`${name}: ${n} rows stored of ${rows}`);
        if (round === 0) continue; // warm-up
        results[name].node.push((node.user + node.system) / rows);
        results[name].server.push((server * 1e6) / rows);
      }
    }
    console.log(
      table(
        ["format", "encode, Node (µs/row)", "insert, ClickHouse server (µs/row)", "total (µs/row)"],
        Object.entries(results).map(([name, r]) => [
          name,
          median(r.node).toFixed(2),
          `${median(r.server).toFixed(2)} [${Math.min(...r.server).toFixed(2)}–${Math.max(...r.server).toFixed(2)}]`,
          (median(r.node) + median(r.server)).toFixed(2),
        ]),
      ),
    );
    console.log(`${rows} rows of the worker bench's events (≈100-byte properties), batches of ${batch}, medians of ${rounds} rounds after a warm-up.`);
  } finally {
    await client.close();
    await ch.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
