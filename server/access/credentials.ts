import type { FastifyRequest } from "fastify";
import type { Credentials, Door } from "../../access/access-check.js";
import { UnauthenticatedError } from "../../core/errors/domain-errors.js";

const bearer = /^Bearer\s+(\S+)\s*$/i;
const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i;
const queryKeyParameter = "api_key";
/** Query parameters read here, not by a route's request message. */
export const credentialParameters: ReadonlySet<string> = new Set([queryKeyParameter]);

/**
 * The key a request presents, the same way for every protocol (gRPC metadata
 * are these headers too): `Authorization: Bearer <key>`, `x-api-key`, or
 * HTTP Basic with the key as the user name (Segment's clients). Capture also
 * takes `?api_key=` (write keys are public, and a page leaving sends with
 * sendBeacon, which cannot set headers); analytics and admin never read keys
 * from URLs, which end up in logs and browser history. An Authorization
 * header that names no key is refused, never taken for "no key" (which
 * keyless capture would let into the default project).
 */
export function credentialsOf(req: FastifyRequest, door: Door): Credentials {
  const origin = req.headers.origin;
  return { key: keyOf(req, door), origin: typeof origin === "string" ? origin : undefined };
}

function keyOf(req: FastifyRequest, door: Door): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization) {
    const token = bearer.exec(authorization)?.[1] ?? userOf(basic.exec(authorization)?.[1]);
    if (token) return token;
    throw new UnauthenticatedError("the Authorization header holds no key (send Bearer <key>)");
  }
  const header = req.headers["x-api-key"];
  if (typeof header === "string" && header !== "") return header;
  if (door === "capture") {
    const fromQuery = (req.query as Record<string, unknown> | undefined)?.[queryKeyParameter];
    if (typeof fromQuery === "string" && fromQuery !== "") return fromQuery;
  }
  return undefined;
}

/** The user name of HTTP Basic credentials (Segment's clients send the write key there, with no password). */
function userOf(basicCredentials: string | undefined): string | undefined {
  return basicCredentials ? Buffer.from(basicCredentials, "base64").toString("utf8").split(":")[0] || undefined : undefined;
}
