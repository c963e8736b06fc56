/**
 * Cleanup that runs once however the bench ends: normally, on error, on
 * SIGINT/SIGTERM, or when the overall time budget runs out. Each action is
 * bounded so a hung child or Redis cannot keep the bench alive.
 */
type Action = { name: string; fn: () => Promise<unknown> };

const actions: Action[] = [];
let running: Promise<void> | undefined;

/** Registers an action; actions run last-registered first. */
export function onCleanup(name: string, fn: () => Promise<unknown>): void {
  actions.push({ name, fn });
}

export function cleanup(): Promise<void> {
  running ??= (async () => {
    for (const a of actions.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve("timed out"), 12_000)));
      const outcome = await Promise.race([
        a.fn().then(
          () => "ok",
          (e: unknown) => `failed: ${String(e)}`,
        ),
        timeout,
      ]);
      clearTimeout(timer);
      if (outcome !== "ok") console.error(`cleanup ${a.name}: ${outcome}`);
    }
  })();
  return running;
}

/** Exits with `code` after cleanup (at most 30 s of it). */
export async function exitAfterCleanup(code: number): Promise<never> {
  setTimeout(() => process.exit(code), 30_000).unref();
  await cleanup();
  process.exit(code);
}

/** Installs the signal handlers and the overall watchdog. */
export function guardRun(budgetMs: number): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping children and deleting stream keys...`);
      void exitAfterCleanup(130);
    });
  }
  setTimeout(() => {
    console.error(`\nbench exceeded its time budget (${Math.round(budgetMs / 1000)} s); cleaning up`);
    void exitAfterCleanup(1);
  }, budgetMs).unref();
}
