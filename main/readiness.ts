import type { EventPublisher } from "../queue/event-queue.js";
import type { Readiness } from "../server/http/health-routes.js";
import type { LazyDatabase } from "../storage/lazy-database.js";

const answerWithinMs = 2000;
const reuseForMs = 1000;

/**
 * What /readyz reports: the queue answers, and the database answers a trivial
 * query (opened first if it never was). Each question is given 2 s (a probe
 * must not hang on a database that does not answer), and an answer is reused
 * for a second, so frequent probes put no load on either.
 */
export function createReadiness(deps: { publisher: EventPublisher; database: LazyDatabase }): () => Promise<Readiness> {
  let last: { at: number; answer: Promise<Readiness> } | undefined;
  const within = (p: Promise<boolean>) => Promise.race([p.catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), answerWithinMs).unref())]);
  const ask = async (): Promise<Readiness> => {
    const [queue, database] = await Promise.all([within(deps.publisher.ready()), within(deps.database.open().then((db) => db.healthy()))]);
    return { queue, database };
  };
  return () => {
    if (!last || Date.now() - last.at > reuseForMs) last = { at: Date.now(), answer: ask() };
    return last.answer;
  };
}
