import type { BoundedQueue } from "./bounded-queue.js";
import type { Timers } from "./platform.js";
import { eventsOf } from "./queue-item.js";
import type { Reporter } from "./reporter.js";
import type { SendLoop } from "./send-loop.js";

export interface ShutdownDeps {
  queue: BoundedQueue;
  loop: SendLoop;
  timers: Timers;
  now(): number;
  report: Reporter;
  /** Unsent events survive in storage (browser): not reported as lost. */
  persistent: boolean;
}

export interface Shutdown {
  /** Drains within timeoutMs, then gives up; the first call's promise is returned to later calls. */
  run(timeoutMs: number): Promise<{ pending: number; timedOut: boolean }>;
  /** The process is about to exit (Node's beforeExit): drain once per batch of new captures. */
  onExit(timeoutMs: number): Promise<void>;
  captured(): void;
}

export function createShutdown(deps: ShutdownDeps): Shutdown {
  const { queue, loop, timers } = deps;
  let result: Promise<{ pending: number; timedOut: boolean }> | undefined;
  let captures = 0;
  let exitTriedAt = -1;

  // Retries honour backoff but never past the deadline. Its own timers keep the
  // process alive (the caller is waiting), and are all cancelled at the end.
  async function drain(timeoutMs: number) {
    const deadline = deps.now() + timeoutMs;
    const cancels = new Set<() => void>();
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const cancel = timers.set(
          () => {
            cancels.delete(cancel);
            resolve();
          },
          ms,
          true,
        );
        cancels.add(cancel);
      });
    let timedOut = false;
    const attempts = (async () => {
      for (;;) {
        const outcome = await loop.pass();
        if (timedOut || outcome.kind !== "wait") return;
        const left = deadline - deps.now();
        if (left <= 0) return void (timedOut = true);
        await sleep(Math.min(outcome.ms, left));
      }
    })();
    const deadlineHit = sleep(Math.max(0, timeoutMs)).then(() => (timedOut = true));
    await Promise.race([attempts, deadlineHit]);
    if (timedOut || queue.count) loop.abort();
    for (const cancel of cancels) cancel();
    return { pending: queue.count, timedOut };
  }

  function reportUnsent(why: string): void {
    if (deps.persistent || !queue.count) return;
    const unsent = queue.remove(queue.items().map((i) => i.uuid));
    deps.report.drop(eventsOf(unsent), { reason: "shutdown", message: why });
  }

  return {
    run(timeoutMs) {
      result ??= drain(timeoutMs).then((r) => {
        reportUnsent(`${r.pending} event(s) still unsent when shutdown's ${timeoutMs} ms ran out`);
        return r;
      });
      return result;
    },
    async onExit(timeoutMs) {
      if (result || !queue.count || exitTriedAt === captures) return;
      exitTriedAt = captures;
      const r = await drain(timeoutMs);
      if (r.pending && !result) reportUnsent(`the process is exiting and ${r.pending} event(s) could not be sent`);
    },
    captured() {
      captures++;
    },
  };
}
