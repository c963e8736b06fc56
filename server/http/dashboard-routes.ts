import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * The dashboard's page at `/` and its built assets under `/dashboard/`. The
 * page is a client of the public API (it holds a read key, sent in a header);
 * the server only hands out files, with a policy that lets them reach this
 * origin and nothing else.
 */
export async function dashboardRoutesPlugin(scope: FastifyInstance, opts: { dir: string | undefined }) {
  const dir = opts.dir;
  const built = dir !== undefined && existsSync(join(dir, "index.html"));
  const secured = (reply: FastifyReply) =>
    reply
      .header(
        "content-security-policy",
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      )
      .header("referrer-policy", "no-referrer")
      .header("x-content-type-options", "nosniff");
  if (!built) {
    scope.get("/", (_req, reply) =>
      secured(reply).code(503).type("text/plain").send("The dashboard is not built here: run `npm run build` (npm start builds it).\n"),
    );
    return;
  }
  await scope.register(fastifyStatic, { root: dir, prefix: "/dashboard/", index: false, cacheControl: false });
  // Every answer of this scope (the page, with or without a query string, and the assets) carries the policy.
  scope.addHook("onSend", async (_req, reply) => {
    secured(reply).header("cache-control", "no-cache");
  });
  scope.get("/", (_req, reply) => reply.sendFile("index.html"));
}
