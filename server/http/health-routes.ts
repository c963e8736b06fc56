import type { FastifyInstance } from "fastify";

/** `/healthz`: the process answers. `/readyz`: it can also queue events. */
export async function healthRoutesPlugin(app: FastifyInstance, opts: { ready(): Promise<boolean> }) {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const ready = await opts.ready();
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", queue: ready });
  });
}
