// Entry point for test-service provisioning (see global-setup.ts for how it's used).
import { provideClickHouseCluster } from "./clickhouse-cluster-service.js";
import { provideClickHouse } from "./clickhouse-service.js";
import { providePostgres } from "./postgres-service.js";
import { provideRedis } from "./redis-service.js";
import type { ProvidedService, ServiceName } from "./types.js";

export { type LocalClickHouseCluster, plainCluster, replicatedCluster, startLocalClickHouseCluster } from "./clickhouse-cluster-service.js";
export { CLICKHOUSE_IMAGE, clickHouseQuery, type LocalClickHouse, provideClickHouse, startLocalClickHouse } from "./clickhouse-service.js";
export { findPostgresBinDir, type LocalPostgres, providePostgres, startLocalPostgres, TEST_DATABASE } from "./postgres-service.js";
export { dockerAvailable } from "./provisioning.js";
export { type LocalRedis, provideRedis, redisPing, startLocalRedis } from "./redis-service.js";
export type { RestartableServer } from "./server-lifecycle.js";
export type { ProvidedService, ServiceName, ServiceSource } from "./types.js";

const providers: Record<ServiceName, () => Promise<ProvidedService>> = {
  redis: provideRedis,
  postgres: providePostgres,
  clickhouse: provideClickHouse,
  "clickhouse-cluster": provideClickHouseCluster,
};

export const ALL_SERVICES = Object.keys(providers) as ServiceName[];

/** Parses TEST_SERVICES (comma list, default "redis"); unknown names are an error, not silently ignored. */
export function requestedServices(raw = process.env.TEST_SERVICES): ServiceName[] {
  const names = (raw ?? "redis,postgres,clickhouse,clickhouse-cluster")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = names.filter((n) => !(n in providers));
  if (bad.length) throw new Error(`TEST_SERVICES: unknown service(s) ${bad.join(", ")} (known: ${ALL_SERVICES.join(", ")})`);
  return [...new Set(names)] as ServiceName[];
}

export type ProvidedServices = Partial<Record<ServiceName, ProvidedService>>;

/**
 * Starts the given services one after another (a missing binary may trigger an
 * apt install, and apt can't run concurrently). If one fails, the ones already
 * started are stopped before rethrowing.
 */
export async function provideAll(which: ServiceName[]): Promise<ProvidedServices> {
  const started: ProvidedServices = {};
  try {
    for (const name of which) started[name] = await providers[name]();
  } catch (err) {
    await stopAll(started);
    throw err;
  }
  return started;
}

export async function stopAll(services: ProvidedServices): Promise<void> {
  const results = await Promise.allSettled(Object.values(services).map((s) => s.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}
