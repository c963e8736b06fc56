import type { EventPublisher } from "../queue/event-queue.js";
import type { ReadinessProbes } from "../server/http/health-routes.js";
import type { LazyDatabase } from "../storage/lazy-database.js";

const answerWithinMs = 2000;
const reuseForMs = 1000;

/** `ask`, given 2 s at most (a probe must not hang), its answer reused for a second (frequent probes cost nothing). */
function probe(ask: () => Promise<boolean>): () => Promise<boolean> {
  let last: { at: number; answer: Promise<boolean> } | undefined;
  const bounded = () => Promise.race([ask().catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), answerWithinMs).unref())]);
  return () => {
    if (!last || Date.now() - last.at > reuseForMs) last = { at: Date.now(), answer: bounded() };
    return last.answer;
  };
}

/** What /readyz asks: the queue answers; the database answers a trivial query (opened first if it never was). Asked apart. */
export function createReadiness(deps: { publisher: EventPublisher; database: LazyDatabase }): ReadinessProbes {
  return {
    queue: probe(() => deps.publisher.ready()),
    database: probe(async () => (await deps.database.open()).healthy()),
  };
}
