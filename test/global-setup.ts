// Vitest globalSetup: starts the services named in TEST_SERVICES (default "redis,postgres,clickhouse")
// once per run and exposes their URLs to tests via inject('redisUrl') etc.
import type { TestProject } from "vitest/node";
import { provideAll, requestedServices, type ServiceName, stopAll } from "./support/services/index.js";

const injectKey = {
  redis: "redisUrl",
  postgres: "postgresUrl",
  clickhouse: "clickhouseUrl",
  "clickhouse-cluster": "clickhouseClusterUrl",
} as const satisfies Record<ServiceName, string>;

/** Hides passwords in logged URLs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const which = requestedServices();
  const t0 = Date.now();
  const services = await provideAll(which);
  for (const name of which) {
    const svc = services[name]!;
    console.log(`[test-services] ${name}: ${svc.source} ${redact(svc.url)}`);
    project.provide(injectKey[name], svc.url);
  }
  console.log(`[test-services] ready in ${Date.now() - t0} ms`);
  return () => stopAll(services);
}
