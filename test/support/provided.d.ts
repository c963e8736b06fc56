// Values global-setup.ts hands to tests via project.provide() / inject().
// Only services listed in TEST_SERVICES are provided; the others are undefined at runtime.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    postgresUrl: string;
    clickhouseUrl: string;
    /** A server of a two-shard cluster (test/support/services/clickhouse-cluster-service.ts). */
    clickhouseClusterUrl: string;
  }
}
