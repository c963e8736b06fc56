import { randomUUID } from "node:crypto";
import { benchKeyHeaders } from "../shared/bench-keys.js";

/** Steady capture load through REST: what was acknowledged (200) and what was refused. */
export interface DrillLoad {
  /** uuids the server answered 200 for: each must be stored, once. */
  readonly acknowledged: Set<string>;
  /** Events whose request was refused or failed (not acknowledged: the client keeps them to retry). */
  refused(): number;
  /** When the first request sent after `at` (epoch ms) was acknowledged; undefined if none yet. */
  acknowledgedAgainAt(at: number): number | undefined;
  /** Resolves once the load has run for `ms`. */
  runFor(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `rate` events a second in batches of 50 to `url()` (read at each request, so
 * a restarted server on another port is followed), at most 4 requests in
 * flight. A request cut off by a crash counts as refused, never acknowledged.
 */
export function startDrillLoad(url: () => string, rate: number): DrillLoad {
  const batch = 50;
  const acknowledged = new Set<string>();
  let refused = 0;
  const answered: Array<[sentAt: number, acknowledgedAt: number]> = [];
  let running = true;
  const inFlight = new Set<Promise<void>>();
  const send = async () => {
    const sentAt = Date.now();
    const events = Array.from({ length: batch }, (_, i) => ({ event: "page_view", distinctId: `drill-${i % 37}`, uuid: randomUUID() }));
    try {
      const res = await fetch(`${url()}/api/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", ...benchKeyHeaders },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.status === 200) {
        for (const e of events) acknowledged.add(e.uuid);
        answered.push([sentAt, Date.now()]);
      } else refused += batch;
    } catch {
      refused += batch;
    }
  };
  const loop = (async () => {
    const every = (1000 * batch) / rate;
    for (let next = performance.now(); running; next += every) {
      if (inFlight.size < 4) {
        const p: Promise<void> = send().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, next + every - performance.now())));
    }
    await Promise.all(inFlight);
  })();
  return {
    acknowledged,
    refused: () => refused,
    acknowledgedAgainAt: (at) => answered.find(([sentAt]) => sentAt >= at)?.[1],
    runFor: (ms) => new Promise((r) => setTimeout(r, ms)),
    async stop() {
      running = false;
      await loop;
    },
  };
}
