/**
 * Realistic queued events for the worker bench: the original project's four
 * events over ~10k users, properties of about 100 bytes, timestamps in the
 * last hour (a live queue). Seeded, so every run stores the same rows.
 */
import type { Redis } from "ioredis";
import { v7 as uuidv7 } from "uuid";
import type { StoredEvent } from "../../core/events/event-model.js";
import { decodeQueuedEvent, encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { eventField } from "../../queue/redis/redis-stream-publisher.js";
import type { StreamLayout } from "../../queue/redis/stream-layout.js";

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pages = ["/", "/pricing", "/docs/getting-started", "/blog/launch-week", "/dashboard", "/settings/billing"];
const referrers = ["https://www.google.com/", "https://twitter.com/", "https://news.ycombinator.com/", ""];
const features = ["dashboard", "funnels", "retention", "export_csv", "alerts", "sql_console"];
const plans = ["free", "pro", "team"];
const sources = ["instagram", "google_ads", "newsletter", "friend", "producthunt"];

export function makeEvents(n: number, users = 10_000, seed = 42): StoredEvent[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const now = Date.now();
  const out: StoredEvent[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    let event: string;
    let props: Record<string, unknown>;
    if (r < 0.55) {
      event = "page_view";
      props = { path: pick(pages), referrer: pick(referrers), title: "InsightPlus - analytics", screen: "1440x900" };
    } else if (r < 0.8) {
      event = "most_used_feature";
      props = { feature: pick(features), duration: Math.floor(rnd() * 600), source: "web", app_version: "2.4.1" };
    } else if (r < 0.9) {
      event = "user_registered";
      props = { plan: pick(plans), referral: pick(sources), locale: "en-IN", utm_campaign: "spring_launch_2024" };
    } else {
      event = "payment_success";
      props = { amount: 99 + Math.floor(rnd() * 900), currency: "INR", plan: pick(plans), method: "card", order: `ord_${i}` };
    }
    const ts = now - Math.floor(rnd() * 3_600_000);
    out[i] = {
      projectId: "default",
      uuid: uuidv7(),
      event,
      distinctId: `user_${Math.floor(rnd() * users)}`,
      propertiesJson: JSON.stringify(props),
      timestampMs: ts,
      receivedAtMs: ts + Math.floor(rnd() * 500),
      timestampClamped: false,
    };
  }
  return out;
}

/** The protobuf bytes the server would XADD for each event. */
export function encodeAll(events: readonly StoredEvent[]): Buffer[] {
  return events.map((e) => {
    const u8 = encodeQueuedEvent(e);
    return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  });
}

/** Appends every entry to its partition (pipelined, like the capture path under load); bounded by `timeoutMs`. */
export async function fillStream(redis: Redis, layout: StreamLayout, entries: readonly Buffer[], timeoutMs: number, pipeline = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const keyOf = (entry: Buffer) => {
    const e = decodeQueuedEvent(entry);
    return layout.sources[layout.partitionOf(e.projectId, e.distinctId)].streamKey;
  };
  for (let i = 0; i < entries.length; i += pipeline) {
    if (Date.now() > deadline) throw new Error(`filling ${layout.sources[0].streamKey} … took longer than ${timeoutMs} ms`);
    const p = redis.pipeline();
    for (const e of entries.slice(i, i + pipeline)) p.xadd(keyOf(e), "*", eventField, e);
    const res = await p.exec();
    const failed = res?.find(([err]) => err);
    if (failed) throw failed[0];
  }
}

export function averagePropertiesBytes(events: readonly StoredEvent[]): number {
  return events.reduce((n, e) => n + Buffer.byteLength(e.propertiesJson), 0) / Math.max(1, events.length);
}
