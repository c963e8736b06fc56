/**
 * End-to-end freshness: steady REST load on the real server while one marker
 * event (unique distinctId) goes out every `markerEveryMs`; each marker is
 * polled for in ClickHouse until visible. Latency = capture request sent →
 * first poll that sees the row (so it includes up to one poll interval).
 */
import type { ClickHouseClient } from "@clickhouse/client";
import type { StoredEvent } from "../../core/events/event-model.js";
import { benchKeyHeaders } from "../shared/bench-keys.js";

export interface FreshnessOptions {
  serverUrl: string;
  ch: ClickHouseClient;
  runId: string;
  events: readonly StoredEvent[];
  eventsPerSecond: number;
  batchSize: number;
  seconds: number;
  markerEveryMs: number;
  pollMs: number;
  /** How long to wait for the last markers after the load stops. */
  settleMs: number;
}

export interface FreshnessResult {
  latenciesMs: number[];
  markersSent: number;
  markersMissing: number;
  loadAccepted: number;
  loadErrors: number;
  markerErrors: number;
  firstError?: string;
  /** Load requests not sent because 64 were already in flight (the client fell behind). */
  skipped: number;
  seconds: number;
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

export async function measureFreshness(o: FreshnessOptions): Promise<FreshnessResult> {
  const bodies: string[] = [];
  for (let i = 0; i + o.batchSize <= o.events.length && bodies.length < 200; i += o.batchSize) {
    const events = o.events.slice(i, i + o.batchSize).map((e) => ({ event: e.event, distinctId: e.distinctId, properties: JSON.parse(e.propertiesJson) }));
    bodies.push(JSON.stringify({ events }));
  }
  const r: FreshnessResult = { latenciesMs: [], markersSent: 0, markersMissing: 0, loadAccepted: 0, loadErrors: 0, markerErrors: 0, skipped: 0, seconds: 0 };
  const fail = (why: string, marker = false) => {
    if (marker) r.markerErrors++;
    else r.loadErrors++;
    r.firstError ??= why;
  };
  const post = async (path: string, body: string) => {
    const res = await fetch(`${o.serverUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...benchKeyHeaders },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const json = (await res.json().catch(() => ({}))) as { accepted?: number; eventId?: string };
    if (!res.ok) throw new Error(`HTTP ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
    return json;
  };
  const pending = new Map<string, number>(); // distinctId → send time
  let inFlight = 0;
  const start = performance.now();
  const end = start + o.seconds * 1000;
  const requestEveryMs = (1000 * o.batchSize) / o.eventsPerSecond;

  const load = (async () => {
    for (let k = 0; performance.now() < end; k++) {
      await sleepUntil(start + k * requestEveryMs);
      if (inFlight >= 64) {
        r.skipped++;
        continue;
      }
      inFlight++;
      post("/api/v1/batch", bodies[k % bodies.length])
        .then(
          (j) => (r.loadAccepted += j.accepted ?? 0),
          (e: Error) => fail(`batch: ${e.message}`),
        )
        .finally(() => inFlight--);
    }
  })();

  const markers = (async () => {
    for (let k = 0; performance.now() < end; k++) {
      await sleepUntil(start + k * o.markerEveryMs);
      const id = `wb-marker-${o.runId}-${k}`;
      const sentAt = performance.now();
      r.markersSent++;
      post("/api/v1/capture", JSON.stringify({ event: "page_view", distinctId: id, properties: { path: "/bench-marker" } })).then(
        () => pending.set(id, sentAt),
        (e: Error) => fail(`marker: ${e.message}`, true),
      );
    }
  })();

  const poll = (async () => {
    const settleDeadline = () => Math.max(end, performance.now()) + o.settleMs;
    for (let stopAt = Infinity; performance.now() < stopAt; ) {
      if (performance.now() >= end && stopAt === Infinity) stopAt = settleDeadline();
      const ids = [...pending.keys()];
      if (ids.length > 0) {
        const list = ids.map((id) => `'${id}'`).join(",");
        const res = await o.ch.query({
          query: `SELECT DISTINCT distinct_id FROM events WHERE event = 'page_view' AND distinct_id IN (${list})`,
          format: "JSONEachRow",
        });
        const seenAt = performance.now();
        for (const { distinct_id } of await res.json<{ distinct_id: string }>()) {
          r.latenciesMs.push(seenAt - pending.get(distinct_id)!);
          pending.delete(distinct_id);
        }
      } else if (performance.now() >= end && r.latenciesMs.length + r.markerErrors >= r.markersSent) break;
      await new Promise((res) => setTimeout(res, o.pollMs));
    }
  })();

  await Promise.all([load, markers]);
  r.seconds = (performance.now() - start) / 1000;
  await poll;
  const drainDeadline = Date.now() + 10_000; // in-flight requests are bounded by their 10 s timeout
  while (inFlight > 0 && Date.now() < drainDeadline) await new Promise((res) => setTimeout(res, 20));
  r.markersMissing = pending.size;
  return r;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
