import type { FastifyInstance } from "fastify";

/** What the server can do now: queue events (capture), and reach the database (analytics, keys, the workers' writes). */
export interface Readiness {
  queue: boolean;
  database: boolean;
}

/**
 * `/healthz`: the process answers. `/readyz`: it can queue events and reach
 * its database (503 naming what is missing). `/readyz/capture`: it can queue
 * events — what a load balancer in front of capture alone asks, since events
 * wait in the queue through a database outage.
 */
export async function healthRoutesPlugin(app: FastifyInstance, opts: { ready(): Promise<Readiness> }) {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const { queue, database } = await opts.ready();
    const ready = queue && database;
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", queue, database });
  });
  app.get("/readyz/capture", async (_req, reply) => {
    const { queue } = await opts.ready();
    return reply.status(queue ? 200 : 503).send({ status: queue ? "ready" : "unavailable", queue });
  });
}
