import type { Logger } from "pino";
import type { AccessStore, EventEraser } from "../access/access-store.js";
import { startPeriodicJob } from "./periodic-job.js";

const hourMs = 3_600_000;
const dayMs = 86_400_000;

export interface RetentionSweeper {
  /** One pass now: every project with a retention loses its events older than that (resolves when done). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Retention per project: every `intervalMs`, each project that keeps events
 * for N days loses those stamped before the start of the hour N days ago
 * (whole hours, so ClickHouse's hourly rollup goes with them). Every worker
 * runs it; a second pass finds nothing left to delete. ClickHouse 18.16 has
 * no TTL, and a TTL could not follow a per-project setting changed later.
 */
export function startRetentionSweeper(deps: {
  access: AccessStore;
  eraser: EventEraser;
  intervalMs: number;
  logger: Logger;
  now?: () => number;
}): RetentionSweeper {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: "retention" });

  async function pass(): Promise<void> {
    for (const project of await deps.access.projects()) {
      if (project.retentionDays <= 0) continue;
      const before = Math.floor((now() - project.retentionDays * dayMs) / hourMs) * hourMs;
      const deleted = await deps.eraser.deleteBefore(project.id, before);
      if (deleted > 0) log.info({ project: project.id, deleted, before: new Date(before).toISOString() }, "retention: old events deleted");
    }
  }
  const job = startPeriodicJob({ what: "retention pass", intervalMs: deps.intervalMs, firstAfterMs: 10_000, pass, logger: log });
  return { sweep: job.run, stop: job.stop };
}
