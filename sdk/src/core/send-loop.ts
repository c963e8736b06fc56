import type { BoundedQueue } from "./bounded-queue.js";
import type { Transport } from "./platform.js";
import { eventsOf, type QueueItem } from "./queue-item.js";
import type { Reporter } from "./reporter.js";
import { InsightPlusError } from "./sdk-error.js";
import type { SendResult } from "./send-result.js";

export type PassOutcome = { kind: "drained" } | { kind: "offline" } | { kind: "wait"; ms: number };

export interface SendLoopDeps {
  queue: BoundedQueue;
  transport: Transport;
  now(): number;
  maxBatchSize: number;
  maxBatchBytes: number;
  /** Batches in flight at once (default 1). */
  concurrency?: number;
  backoff(attempt: number, retryAfterMs?: number): number;
  report: Reporter;
  /** The queue changed (persist it). */
  changed(): void;
  online?(): boolean;
}

export interface SendLoop {
  /** Sends batches until the queue is drained or the server asks us to wait. One pass at a time. */
  pass(): Promise<PassOutcome>;
  readonly inFlight: ReadonlySet<string>;
  /** False from a failed attempt until the next success. */
  readonly healthy: boolean;
  /** Cancels the request in flight (shutdown ran out of time). */
  abort(): void;
}

export function createSendLoop(deps: SendLoopDeps): SendLoop {
  const { queue, report } = deps;
  const inFlight = new Set<string>();
  let running: Promise<PassOutcome> | undefined;
  let attempt = 0;
  let healthy = true;
  let limit = deps.maxBatchSize;
  let controller = new AbortController();

  // Up to `concurrency` batches in flight; peek skips in-flight events, so each takes different ones.
  async function run(): Promise<PassOutcome> {
    let stop: PassOutcome | undefined;
    async function worker(): Promise<void> {
      while (!stop) {
        if (deps.online && !deps.online()) return void (stop = { kind: "offline" });
        const batch = queue.peek(limit, deps.maxBatchBytes, inFlight);
        if (!batch.length) return;
        for (const item of batch) inFlight.add(item.uuid);
        let result: SendResult;
        try {
          result = await deps.transport.send(batch, new Date(deps.now()).toISOString(), controller.signal);
        } catch (e) {
          result = { kind: "retry", message: `transport failed: ${(e as Error)?.message ?? e}` };
        } finally {
          for (const item of batch) inFlight.delete(item.uuid);
        }
        // One failed pass counts as one attempt, however many batches it had in flight.
        if (result.kind === "retry" && stop) continue;
        const outcome = settle(batch, result);
        if (outcome) stop ??= outcome;
      }
    }
    await Promise.all(Array.from({ length: deps.concurrency ?? 1 }, worker));
    return stop ?? { kind: "drained" };
  }

  // Removal is by uuid: whatever was captured while the request was out stays queued.
  function drop(batch: QueueItem[], info: Parameters<Reporter["drop"]>[1], kind: InsightPlusError["kind"]) {
    const gone = queue.remove(batch.map((i) => i.uuid));
    deps.changed();
    report.drop(eventsOf(gone), info);
    report.error(new InsightPlusError(kind, info.message, { status: info.status }));
  }

  function settle(batch: QueueItem[], result: SendResult): PassOutcome | undefined {
    switch (result.kind) {
      case "ok": {
        attempt = 0;
        healthy = true;
        limit = Math.min(deps.maxBatchSize, limit * 2);
        queue.remove(batch.map((i) => i.uuid));
        deps.changed();
        // Partial success: the refused events are reported, never retried.
        for (const r of result.rejected) {
          const item = batch[r.index];
          if (!item) continue;
          const message = `${r.field ? `${r.field} ` : ""}${r.reason}`;
          report.drop(eventsOf([item]), { reason: "rejected", message: r.reason, field: r.field });
          report.error(new InsightPlusError("rejected", `event ${item.uuid} rejected: ${message}`));
        }
        return undefined;
      }
      case "too_large":
        if (batch.length > 1) limit = Math.max(1, Math.floor(batch.length / 2));
        else drop(batch, { reason: "too_large", message: result.message, status: 413 }, "too_large");
        return undefined;
      case "fatal":
        // A 400/422 for the whole batch may come from one bad event: split to isolate it
        // instead of dropping its neighbours. Other 4xx (401, 403, 404) hold for all.
        if (batch.length > 1 && (result.status === 400 || result.status === 422)) {
          limit = Math.max(1, Math.floor(batch.length / 2));
        } else {
          drop(batch, { reason: "non_retryable", message: result.message, status: result.status }, "non_retryable");
        }
        return undefined;
      case "retry": {
        attempt++;
        healthy = false;
        const ms = deps.backoff(attempt, result.retryAfterMs);
        report.error(new InsightPlusError("send_failed", result.message, { status: result.status, retryInMs: ms }));
        return { kind: "wait", ms };
      }
    }
  }

  return {
    pass() {
      if (running) return running;
      const p = run();
      running = p;
      void p.finally(() => {
        if (running === p) running = undefined;
      });
      return p;
    },
    inFlight,
    get healthy() {
      return healthy;
    },
    abort() {
      controller.abort();
      controller = new AbortController();
    },
  };
}
