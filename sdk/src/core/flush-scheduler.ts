import type { Network, Timers } from "./platform.js";
import type { PassOutcome } from "./send-loop.js";

export interface FlushScheduler {
  /** Flush in a microtask (coalesces a burst of captures), unless a retry is already scheduled. */
  soon(): void;
  /** Flush now even while backing off (the caller asked); resolves when the pass ends. */
  now(): Promise<PassOutcome>;
  stop(): void;
}

export interface FlushSchedulerDeps {
  timers: Timers;
  intervalMs: number;
  pass(): Promise<PassOutcome>;
  network?: Network;
  /** Runs on every interval tick, before flushing (the browser adopts closed tabs' queues here). */
  onTick?(): Promise<void> | void;
}

/** Decides when to flush: at N events (soon), every intervalMs, after a backoff, and when back online. */
export function createFlushScheduler(deps: FlushSchedulerDeps): FlushScheduler {
  const { timers } = deps;
  let cancelRetry: (() => void) | undefined;
  let cancelTick: (() => void) | undefined;
  let queued = false;
  let stopped = false;

  async function runPass(): Promise<PassOutcome> {
    cancelRetry?.();
    cancelRetry = undefined;
    const outcome = await deps.pass();
    if (outcome.kind === "wait" && !stopped && !cancelRetry) {
      cancelRetry = timers.set(() => {
        cancelRetry = undefined;
        void runPass();
      }, outcome.ms);
    }
    return outcome;
  }

  function armTick(): void {
    cancelTick = timers.set(async () => {
      try {
        await deps.onTick?.();
        // While backing off the retry timer owns the next attempt.
        if (!cancelRetry && !stopped) await runPass();
      } finally {
        if (!stopped) armTick();
      }
    }, deps.intervalMs);
  }

  armTick();
  const unsubscribe = deps.network?.subscribe((online) => {
    if (online && !stopped) void runPass();
  });

  return {
    soon() {
      if (queued || cancelRetry || stopped) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        if (!stopped) void runPass();
      });
    },
    now: runPass,
    stop() {
      stopped = true;
      cancelTick?.();
      cancelRetry?.();
      cancelRetry = undefined;
      unsubscribe?.();
    },
  };
}
