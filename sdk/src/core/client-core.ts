import { backoff } from "./backoff.js";
import { createBoundedQueue } from "./bounded-queue.js";
import type { InsightPlusClient } from "./client-api.js";
import type { ResolvedOptions } from "./client-options.js";
import type { QueuedEvent } from "./contract-types.js";
import { createEventBuilder } from "./event-builder.js";
import { createExitHandoff } from "./exit-handoff.js";
import { createFlushScheduler } from "./flush-scheduler.js";
import { createIdentity } from "./identity.js";
import type { Platform } from "./platform.js";
import { toQueueItem } from "./queue-item.js";
import { createReporter } from "./reporter.js";
import { InsightPlusError } from "./sdk-error.js";
import { createSendLoop } from "./send-loop.js";
import { createShutdown } from "./shutdown.js";
import { createStorageMirror } from "./storage-mirror.js";

export type { CaptureOptions, FlushResult, InsightPlusClient, ShutdownResult } from "./client-api.js";

export function createClient(options: ResolvedOptions, platform: Platform): InsightPlusClient {
  const { timers, storage, network } = platform;
  const report = createReporter(options.onDrop, options.onError);
  const queue = createBoundedQueue({ maxCount: options.maxQueueSize, maxBytes: options.maxQueueBytes });
  const mirror = createStorageMirror(storage, queue, report);
  const identity = createIdentity(platform.identity, platform.uuid);
  const loop = createSendLoop({
    queue,
    transport: platform.transport,
    now: platform.now,
    maxBatchSize: options.maxBatchSize,
    maxBatchBytes: options.maxBatchBytes,
    concurrency: options.maxConcurrentBatches,
    backoff: (attempt, retryAfterMs) => backoff(attempt, retryAfterMs, options.retry),
    report,
    changed: mirror.schedule,
    online: network && (() => network.online()),
  });
  if (options.distinctId) identity.identify(options.distinctId);
  const builder = createEventBuilder({ ...platform, distinctId: identity.distinctId, superProperties: options.properties });

  // Takes events into this client's queue; stops at the cap (the rest stays where it was).
  function accept(events: QueuedEvent[]): number {
    let taken = 0;
    for (const event of events) {
      if (queue.push(toQueueItem(event)) === "full") break;
      taken++;
    }
    if (taken) mirror.saveNow();
    return taken;
  }

  const restored = storage?.load() ?? [];
  const kept = accept(restored);
  report.drop(restored.slice(kept), { reason: "queue_full", message: "stored queue is larger than maxQueueSize/maxQueueBytes" });
  if (kept < restored.length) mirror.saveNow();

  // Queues of closed tabs: taken over at start, a second later (a reloaded page's old
  // document may still hold its claim), and on every flush tick.
  const adopt = () =>
    storage
      ?.adopt?.(accept)
      .then(() => void (queue.count && scheduler.soon()))
      .catch((e) => report.error(new InsightPlusError("storage", String(e))));
  const scheduler = createFlushScheduler({ timers, intervalMs: options.flushIntervalMs, pass: loop.pass, network, onTick: adopt });
  const unsubscribeLifecycle = platform.lifecycle?.subscribe(
    createExitHandoff({ queue, loop, transport: platform.transport, mirror, storage, network, report, now: platform.now, adopt }),
  );
  const shutdown = createShutdown({ queue, loop, timers, now: platform.now, report, persistent: !!storage });
  let closed = false;

  const unsubscribeExit = platform.exit?.subscribe(() => void shutdown.onExit(options.shutdownTimeoutMs));
  void storage?.ready?.then(() => mirror.saveNow());
  if (storage?.adopt) {
    void adopt();
    timers.set(() => void adopt(), 1000);
  }
  if (queue.count) scheduler.soon();

  return {
    capture(event, properties, opts) {
      let queued: QueuedEvent | undefined;
      try {
        queued = builder.build(event, properties, opts);
        if (closed) {
          report.drop([queued], { reason: "shutdown", message: "captured after shutdown()" });
          return undefined;
        }
        // Full by count: refuse before serializing (a long outage makes this the hot path).
        const item = queue.count < options.maxQueueSize ? toQueueItem(queued) : undefined;
        if (!item || queue.push(item) === "full") {
          report.drop([queued], { reason: "queue_full", message: `queue is full (${queue.count} events, ${queue.bytes} bytes)` });
          return undefined;
        }
        mirror.schedule();
        shutdown.captured();
        if (queue.count - loop.inFlight.size >= options.flushAt) scheduler.soon();
        return item.uuid;
      } catch (e) {
        report.drop(queued ? [queued] : [], { reason: "invalid", message: `cannot serialize the event: ${(e as Error)?.message}` });
        report.error(new InsightPlusError("invalid", `capture("${String(event)}") failed: ${(e as Error)?.message}`, { cause: e }));
        return undefined;
      }
    },
    identify: (distinctId) => identity.identify(String(distinctId)),
    reset: () => identity.reset(),
    register: (properties) => builder.register(properties),
    unregister: (key) => builder.unregister(key),
    get distinctId() {
      return identity.distinctId();
    },
    async flush() {
      await scheduler.now();
      return { pending: queue.count };
    },
    shutdown(opts) {
      if (!closed) {
        closed = true;
        scheduler.stop();
        unsubscribeExit?.();
        unsubscribeLifecycle?.();
        mirror.saveNow();
      }
      return shutdown.run(opts?.timeoutMs ?? options.shutdownTimeoutMs);
    },
  };
}
