import type { FastifyInstance } from "fastify";

/** What the server can do now: queue events (capture), and reach the database (analytics, keys, the workers' writes). */
export interface ReadinessProbes {
  queue(): Promise<boolean>;
  database(): Promise<boolean>;
}

/**
 * `/healthz`: the process answers. `/readyz`: it can queue events and reach
 * its database (503 naming what is missing). `/readyz/capture`: it can queue
 * events — what a load balancer in front of capture alone asks, since events
 * wait in the queue through a database outage; it never asks the database.
 */
export async function healthRoutesPlugin(app: FastifyInstance, opts: { ready: ReadinessProbes }) {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const [queue, database] = await Promise.all([opts.ready.queue(), opts.ready.database()]);
    const ready = queue && database;
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", queue, database });
  });
  app.get("/readyz/capture", async (_req, reply) => {
    const queue = await opts.ready.queue();
    return reply.status(queue ? 200 : 503).send({ status: queue ? "ready" : "unavailable", queue });
  });
}
