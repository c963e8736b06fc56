import type { FastifyCorsOptions } from "@fastify/cors";
import type { Config } from "../../core/config/config.js";

/** CORS for browsers calling REST, Connect and gRPC-Web directly. */
export function corsOptions(config: Config): FastifyCorsOptions {
  return {
    origin: config.corsOrigins.includes("*") ? true : [...config.corsOrigins],
    methods: ["GET", "POST", "OPTIONS"],
    allowedHeaders: [
      "content-type",
      "connect-protocol-version",
      "connect-timeout-ms",
      "grpc-timeout",
      "x-grpc-web",
      "x-user-agent",
      "authorization",
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
