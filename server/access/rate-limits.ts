import { normalizeIP } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Principal } from "../../core/access/project-model.js";
import { RateLimitedError } from "../../core/errors/domain-errors.js";

export interface RateLimitSettings {
  /** Requests per window from one client address (0: no limit). */
  perAddress: number;
  /** Requests per window with one key (0: no limit). */
  perKey: number;
  windowMs: number;
}

export interface RateLimits {
  /** Before the key is checked: a flood of guesses from one address stops here. */
  address(req: FastifyRequest): Promise<void>;
  /** Once the key is known. */
  key(req: FastifyRequest, principal: Principal): Promise<void>;
}

type Limiter = ReturnType<FastifyInstance["createRateLimit"]>;

/**
 * Per-address and per-key limits with @fastify/rate-limit's counters (in
 * Redis when the app registered it with Redis, so the limits hold across
 * servers), checked inside the access check so every protocol answers alike:
 * RESOURCE_EXHAUSTED / 429 with Retry-After. A counter store that fails
 * (Redis down) lets requests through (skipOnError): capture then meets the
 * queue's own 503.
 */
export function createRateLimits(fastify: FastifyInstance, s: RateLimitSettings): RateLimits {
  // The limiter only reads routeOptions (for a group id) and what the key generator reads.
  type Subject = Pick<FastifyRequest, "routeOptions"> & { limitKey: string };
  const limiter = (max: number): Limiter | undefined =>
    max > 0 ? fastify.createRateLimit({ max, timeWindow: s.windowMs, keyGenerator: (req) => (req as unknown as Subject).limitKey }) : undefined;
  const byAddress = limiter(s.perAddress);
  const byKey = limiter(s.perKey);

  async function count(l: Limiter | undefined, req: FastifyRequest, limitKey: string, what: string): Promise<void> {
    if (!l) return;
    const r = await l({ routeOptions: req.routeOptions, limitKey } satisfies Subject as unknown as FastifyRequest);
    if (!r.isAllowed && r.isExceeded) {
      throw new RateLimitedError(`too many requests ${what} (at most ${r.max} every ${Math.round(r.timeWindow / 1000)} s)`, Math.max(1, r.ttlInSeconds));
    }
  }
  return {
    // An IPv6 client holds a whole /64: counted as one address (the plugin's own default).
    address: (req) => count(byAddress, req, `ip:${normalizeIP(req.ip)}`, "from this address"),
    key: (req, principal) => count(byKey, req, `key:${principal.keyId || `keyless:${principal.projectId}`}`, "with this key"),
  };
}
