import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { FastifyRequest } from "fastify";

/** The HTTP request behind an RPC, whatever its protocol: where its credentials and client address are read. */
export const httpRequestKey = createContextKey<FastifyRequest | undefined>(undefined, { description: "the Fastify request of the call" });

export function httpRequestOf(ctx: HandlerContext): FastifyRequest {
  const req = ctx.values.get(httpRequestKey);
  if (!req) throw new Error(`${ctx.method.name}: called without its HTTP request`);
  return req;
}
