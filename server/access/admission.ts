import type { FastifyRequest } from "fastify";
import type { AccessCheck, Door } from "../../access/access-check.js";
import type { Principal } from "../../core/access/project-model.js";
import { credentialsOf } from "./credentials.js";
import type { RateLimits } from "./rate-limits.js";

export interface Admission {
  /**
   * The one auth step of every request, whatever its protocol: the address's
   * rate limit, the key (from the headers, or `bodyKey` where a protocol puts
   * it in the body: PostHog's token, Segment's writeKey), then the key's
   * rate limit. Throws the domain errors the error table maps.
   */
  admit(req: FastifyRequest, door: Door, bodyKey?: string, opts?: { addressCounted?: boolean }): Promise<Principal>;
  /** The address's rate limit alone: for routes that must read the body (where the key is) before admit. */
  countAddress(req: FastifyRequest): Promise<void>;
}

export function createAdmission(deps: { access: AccessCheck; limits: RateLimits }): Admission {
  return {
    countAddress: (req) => deps.limits.address(req),
    async admit(req, door, bodyKey, opts) {
      if (!opts?.addressCounted) await deps.limits.address(req);
      const credentials = credentialsOf(req, door);
      const principal = await deps.access.check(bodyKey === undefined ? credentials : { ...credentials, key: bodyKey }, door);
      await deps.limits.key(req, principal);
      return principal;
    },
  };
}
