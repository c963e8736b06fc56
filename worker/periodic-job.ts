import type { Logger } from "pino";

export interface PeriodicJob {
  /** One pass now, or the one already running (resolves when done; a failure is logged, not thrown). */
  run(): Promise<void>;
  /** No further passes; resolves when the running one ends. */
  stop(): Promise<void>;
}

/**
 * A pass every `intervalMs` (the first after `firstAfterMs`), never two at
 * once; a failed pass is logged and the next one tries again. The timers do
 * not keep the process alive.
 */
export function startPeriodicJob(deps: { what: string; intervalMs: number; firstAfterMs: number; pass: () => Promise<void>; logger: Logger }): PeriodicJob {
  let running: Promise<void> | undefined;
  const run = () =>
    (running ??= deps
      .pass()
      .catch((e: unknown) => deps.logger.warn({ err: (e as Error).message }, `${deps.what} failed; trying again at the next pass`))
      .finally(() => {
        running = undefined;
      }));
  const first = setTimeout(run, Math.min(deps.intervalMs, deps.firstAfterMs));
  const timer = setInterval(run, deps.intervalMs);
  first.unref();
  timer.unref();
  return {
    run,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
