// Shared shapes for the test-service provisioning layer.

/** Where a service came from: an env URL, a Docker container, or a binary we spawned. */
export type ServiceSource = "env" | "container" | "local";

export interface ProvidedService {
  url: string;
  source: ServiceSource;
  /** Idempotent; a no-op for env-provided services (we don't own them). */
  stop(): Promise<void>;
}

export type ServiceName = "redis" | "postgres" | "clickhouse" | "clickhouse-cluster";
