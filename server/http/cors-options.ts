import type { FastifyCorsOptions } from "@fastify/cors";
import type { AccessCheck } from "../../access/access-check.js";

/**
 * CORS for browsers calling REST, Connect and gRPC-Web directly. A preflight
 * carries no key, so it is answered for any origin some project (or
 * CORS_ORIGINS) allows; the request itself is then checked against its own
 * project's origins by the access check. Allowed origins are echoed with
 * credentials allowed: posthog-js sends withCredentials, which `*` refuses.
 */
export function corsOptions(access: AccessCheck): FastifyCorsOptions {
  return {
    origin: (origin, callback) => callback(null, origin !== undefined && access.originAllowedAnywhere(origin)),
    credentials: true,
    methods: ["GET", "POST", "PATCH", "OPTIONS"],
    allowedHeaders: [
      "content-type",
      "connect-protocol-version",
      "connect-timeout-ms",
      "grpc-timeout",
      "x-grpc-web",
      "x-user-agent",
      "authorization",
      "x-api-key",
      "x-retry-count", // analytics.js's retries
      // Compressed requests, and the encodings a client takes back (Connect and gRPC-Web name their own headers).
      "content-encoding",
      "connect-content-encoding",
      "connect-accept-encoding",
      "grpc-encoding",
      "grpc-accept-encoding",
    ],
    exposedHeaders: "grpc-status, grpc-message, grpc-status-details-bin, grpc-encoding, connect-content-encoding, retry-after",
    maxAge: 86400,
  };
}
