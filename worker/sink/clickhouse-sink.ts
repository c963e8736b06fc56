import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import type { AcceptedEvent } from "../../server/capture/event-input.js";
import { QueuedEventSpans } from "../../server/queue/queued-event-codec.js";
import { migrateClickHouse } from "./clickhouse-migrations.js";
import { clickHouseRowFromSpans, rowsBytes, rowsText } from "./clickhouse-row-text.js";
import { isTransientNetworkError, SinkUnavailableError, type EventSink } from "./event-sink.js";

export interface ClickHouseSinkOptions {
  url: string;
  database: string;
  username: string;
  password: string;
}

/** ClickHouse server codes that mean "not now" rather than "bad rows" (overload, shutting down, readonly replica). */
const retryableServerCodes = new Set([159, 164, 202, 203, 209, 210, 241, 242, 252, 319, 425, 999]);

/**
 * Stores events with one JSONEachRow INSERT per batch over HTTP. Every column
 * is sent (ClickHouse 18.16 ignores DEFAULT expressions for omitted
 * JSONEachRow fields). Duplicates of a uuid share the whole sort key, so
 * ReplacingMergeTree folds them; queries count distinct uuids until it does.
 */
/** The sink's HTTP client settings (the bench's raw-insert ceiling uses the same). */
export function clickHouseClientOptions(opts: ClickHouseSinkOptions) {
  return {
    url: opts.url,
    database: opts.database,
    username: opts.username,
    password: opts.password,
    request_timeout: 30_000,
    compression: { request: false, response: false },
    // Failures are classified and logged once by the worker; the client's own error log would print each retry.
    log: { level: ClickHouseLogLevel.OFF },
    json: rowsAsText,
  };
}

export function createClickHouseSink(
  opts: ClickHouseSinkOptions,
  /** A ready client instead of an HTTP one (the tests pass embedded chdb here). */
  injected?: ClickHouseClient,
): EventSink & { client: ClickHouseClient } {
  const client = injected ?? createClient(clickHouseClientOptions(opts));
  return {
    name: "clickhouse",
    client,
    async migrate() {
      await migrateClickHouse(client, opts);
    },
    encode: (e) => JSON.stringify(toRow(e)),
    encodeRaw(raw) {
      const spans = new QueuedEventSpans(raw);
      return spans.read() ? clickHouseRowFromSpans(spans) : undefined;
    },
    async insert(rows) {
      if (rows.length === 0) return;
      try {
        if (injected) {
          // One text for the batch: rows are strings (encode) or spans of bytes (encodeRaw).
          await client.insert({ table: "events", values: [rowsText(rows)], format: "JSONEachRow" });
        } else {
          // Over HTTP the bytes go out as they are: insert() takes JSONEachRow only as JS values
          // (a string per batch cost a copy into a string and another back into bytes).
          const sent = await client.exec({ query: "INSERT INTO events FORMAT JSONEachRow", values: Readable.from(rowsBytes(rows), { objectMode: false }) });
          await drain(sent.stream);
        }
      } catch (e) {
        throw classify(e);
      }
    },
    async close() {
      await client.close();
    },
  };
}

/**
 * The client's JSON handling where the batch goes through insert() (chdb and
 * other injected clients): the batch text is already serialized, so it is
 * sent as it is; anything else is stringified as usual.
 */
export const rowsAsText = {
  parse: JSON.parse,
  stringify: (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value)),
};

export function toRow(e: AcceptedEvent) {
  return {
    uuid: e.uuid,
    event: e.event,
    distinct_id: e.distinctId,
    properties: e.propertiesJson,
    event_timestamp: Math.floor(e.timestampMs / 1000),
    timestamp_ms: e.timestampMs,
    received_at: Math.floor(e.receivedAtMs / 1000),
    timestamp_clamped: e.timestampClamped ? 1 : 0,
  };
}

/** ClickHouse 18.16 answers with plain errors; the server code is only in the message ("Code: 241"). */
export function clickHouseCode(e: unknown): number | undefined {
  const err = e as { code?: string; message?: string };
  const n = Number(err.code ?? /Code: (\d+)/.exec(err.message ?? "")?.[1]);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function classify(e: unknown): unknown {
  const code = clickHouseCode(e);
  if (isTransientNetworkError(e) || (code !== undefined && retryableServerCodes.has(code))) {
    return new SinkUnavailableError(`ClickHouse unavailable: ${(e as Error).message}`, { cause: e });
  }
  return e;
}

/**
 * Reads an answer to its end (an INSERT's is empty), so the connection goes
 * back to the pool. The status already said the rows were taken: a connection
 * closed before the empty body ends is not an error (as the client's insert()).
 */
async function drain(stream: Readable): Promise<void> {
  stream.resume();
  await finished(stream).catch((e: unknown) => {
    if ((e as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE") throw e;
  });
}
