import { describe, expect, it } from "vitest";
import { defaultAllowedEvents, loadConfig } from "../../core/config/config.js";
import { ConfigError } from "../../core/errors/config-error.js";

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`not refused: ${JSON.stringify(env)}`);
}

const clickHouseUrl = (env: Record<string, string>) => loadConfig(env).database.clickhouse.url;

describe("loadConfig defaults", () => {
  const c = loadConfig({});

  it("serves on 0.0.0.0:7002 with the in-process queue and worker", () => {
    expect({ port: c.port, host: c.host, logLevel: c.logLevel, redisUrl: c.redisUrl, inProcess: c.worker.inProcess }).toEqual({
      port: 7002,
      host: "0.0.0.0",
      logLevel: "info",
      redisUrl: undefined,
      inProcess: true,
    });
  });

  it("allows the original project's events and any origin", () => {
    expect(c.allowedEvents).toEqual(defaultAllowedEvents);
    expect(c.corsOrigins).toEqual(["*"]);
  });

  it("derives the dead-letter key from the stream key", () => {
    expect([c.streamKey, c.worker.deadLetterKey]).toEqual(["insightplus:events", "insightplus:events:dead"]);
    expect(loadConfig({ REDIS_QUEUE: "q" }).worker.deadLetterKey).toBe("q:dead");
  });

  it("is frozen all the way down", () => {
    expect(Object.isFrozen(c) && Object.isFrozen(c.database.clickhouse) && Object.isFrozen(c.allowedEvents)).toBe(true);
  });
});

describe("loadConfig readers", () => {
  it("trims values and reads lists and levels case-insensitively", () => {
    const c = loadConfig({ PORT: " 8080 ", LOG_LEVEL: "DEBUG", ALLOWED_EVENTS: " a , b ,,", INPROCESS_WORKER: "Off", REDIS_URL: "redis://localhost:6379" });
    expect([c.port, c.logLevel, c.allowedEvents, c.worker.inProcess]).toEqual([8080, "debug", ["a", "b"], false]);
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ PORT: "-1" }, "PORT"],
    [{ PORT: "1e3" }, "PORT"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ INPROCESS_WORKER: "maybe" }, "INPROCESS_WORKER"],
    [{ REDIS_URL: "http://x" }, "REDIS_URL"],
    [{ REDIS_URL: "not a url" }, "REDIS_URL"],
    [{ CLICKHOUSE_DB: "bad-name" }, "CLICKHOUSE_DB"],
    [{ ALLOWED_EVENTS: ",," }, "ALLOWED_EVENTS"],
    [{ WORKER_BATCH_SIZE: "0" }, "WORKER_BATCH_SIZE"],
    [{ DATABASE_TYPE: "mysql" }, "DATABASE_TYPE"],
    [{ INPROCESS_WORKER: "false" }, "INPROCESS_WORKER"],
    [{ QUEUE_PARTITIONS: "0" }, "QUEUE_PARTITIONS"],
    [{ QUEUE_PARTITIONS: "1025" }, "QUEUE_PARTITIONS"],
    [{ REDIS_QUEUE: "{app}:events" }, "REDIS_QUEUE"],
    [{ REDIS_CLUSTER_NODES: "redis://a:7000, http://b:7001" }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "redis://:secret@a:7000,::" }, "REDIS_CLUSTER_NODES"],
    [{ CLICKHOUSE_HOST: "ch", CLICKHOUSE_CLUSTER: "two-shards" }, "CLICKHOUSE_CLUSTER"],
    [{ DATABASE_TYPE: "chdb", CLICKHOUSE_CLUSTER: "two_shards" }, "CLICKHOUSE_CLUSTER"],
    [{ POSTGRES_HOST: "db", POSTGRES_READ_PORT: "0" }, "POSTGRES_READ_PORT"],
    [{ REDIS_WAIT_REPLICAS: "-1" }, "REDIS_WAIT_REPLICAS"],
    [{ DATA_DIR_RESERVE_MB: "-5" }, "DATA_DIR_RESERVE_MB"],
    [{ REDIS_WAIT_TIMEOUT_MS: "0" }, "REDIS_WAIT_TIMEOUT_MS"],
  ])("refuses %j naming %s", (env, variable) => {
    const e = refusal(env);
    expect(e.variable).toBe(variable);
    expect(e.message.startsWith(`${variable}: `)).toBe(true);
  });

  it("never echoes a cluster node URL it refuses (it may hold a password)", () => {
    expect(refusal({ REDIS_CLUSTER_NODES: "redis://:secret@a:7000,::" }).message).not.toContain("secret");
  });

  it("spreads the queue over 16 partitions unless told, and takes a Redis Cluster's seed nodes for the queue", () => {
    expect(loadConfig({}).queuePartitions).toBe(16);
    const c = loadConfig({ QUEUE_PARTITIONS: "4", REDIS_CLUSTER_NODES: "redis://10.0.0.1:7000,redis://10.0.0.2:7000", INPROCESS_WORKER: "false" });
    expect(c).toMatchObject({ queuePartitions: 4, redisUrl: "redis://10.0.0.1:7000", redisClusterNodes: ["redis://10.0.0.1:7000", "redis://10.0.0.2:7000"] });
  });

  it("writes batches of 10,000 into ClickHouse and 1,000 into the others unless told (an in-process PGlite must not hold requests up)", () => {
    expect(loadConfig({ DATABASE_TYPE: "clickhouse" }).worker.batchSize).toBe(10_000);
    expect(loadConfig({}).worker.batchSize).toBe(1000);
    expect(loadConfig({ POSTGRES_HOST: "db" }).worker.batchSize).toBe(1000);
    expect(loadConfig({ DATABASE_TYPE: "clickhouse", WORKER_BATCH_SIZE: "500" }).worker.batchSize).toBe(500);
  });

  it("explains that the in-process worker is needed without REDIS_URL", () => {
    expect(refusal({ INPROCESS_WORKER: "false" }).message).toMatch(/only be false when REDIS_URL is set/);
  });
});

describe("loadConfig database choice", () => {
  const db = (env: Record<string, string>) => {
    const { type, reason } = loadConfig(env).database;
    return { type, reason };
  };

  it("follows DATABASE_TYPE over any host setting", () => {
    expect(db({ DATABASE_TYPE: "Postgres", CLICKHOUSE_HOST: "x" })).toEqual({ type: "postgres", reason: "DATABASE_TYPE=postgres" });
    expect(db({ DATABASE_TYPE: "chdb" })).toEqual({ type: "chdb", reason: "DATABASE_TYPE=chdb" });
  });

  it("picks ClickHouse when CLICKHOUSE_HOST is set, even with POSTGRES_HOST", () => {
    expect(db({ CLICKHOUSE_HOST: "x", POSTGRES_HOST: "y" })).toEqual({ type: "clickhouse", reason: "CLICKHOUSE_HOST is set" });
  });

  it("reads a ClickHouse cluster's name, and where PostgreSQL analytics read (the primary's port unless told)", () => {
    expect(loadConfig({ CLICKHOUSE_HOST: "ch" }).database.clickhouse.cluster).toBe("");
    expect(loadConfig({ CLICKHOUSE_HOST: "ch", CLICKHOUSE_CLUSTER: " events_cluster " }).database.clickhouse.cluster).toBe("events_cluster");
    const pg = (env: Record<string, string>) => {
      const { host, port, readHost, readPort } = loadConfig({ POSTGRES_HOST: "primary", ...env }).database.postgres;
      return { host, port, readHost, readPort };
    };
    expect(pg({ POSTGRES_PORT: "5433" })).toEqual({ host: "primary", port: 5433, readHost: "", readPort: 5433 });
    expect(pg({ POSTGRES_READ_HOST: "replica", POSTGRES_READ_PORT: "6432" })).toEqual({ host: "primary", port: 5432, readHost: "replica", readPort: 6432 });
  });

  it("picks PostgreSQL when only POSTGRES_HOST is set", () => {
    expect(db({ POSTGRES_HOST: "y" })).toEqual({ type: "postgres", reason: "POSTGRES_HOST is set" });
  });

  it("falls back to PGlite, saying why, when nothing (or only blanks) is set", () => {
    const pglite = { type: "pglite", reason: "no database configured (DATABASE_TYPE, CLICKHOUSE_HOST and POSTGRES_HOST unset): embedded PostgreSQL" };
    expect(db({})).toEqual(pglite);
    expect(db({ DATABASE_TYPE: " ", CLICKHOUSE_HOST: " ", POSTGRES_HOST: "" })).toEqual(pglite);
  });
});

describe("loadConfig ClickHouse URL", () => {
  it.each([
    [{}, "http://localhost:8123"],
    [{ CLICKHOUSE_HOST: "localhost" }, "http://localhost:8123"],
    [{ CLICKHOUSE_HOST: "http://localhost" }, "http://localhost:8123"],
    [{ CLICKHOUSE_HOST: "http://localhost/" }, "http://localhost:8123"],
    [{ CLICKHOUSE_HOST: "HTTP://LocalHost" }, "http://localhost:8123"],
    [{ CLICKHOUSE_HOST: "https://ch.example.com" }, "https://ch.example.com:8443"],
    [{ CLICKHOUSE_HOST: "http://localhost:9000" }, "http://localhost:9000"],
    [{ CLICKHOUSE_HOST: "10.0.0.5:8124" }, "http://10.0.0.5:8124"],
    [{ CLICKHOUSE_HOST: "::1" }, "http://[::1]:8123"],
    [{ CLICKHOUSE_HOST: "2001:db8::5" }, "http://[2001:db8::5]:8123"],
    [{ CLICKHOUSE_HOST: "[::1]:8124" }, "http://[::1]:8124"],
    [{ CLICKHOUSE_HOST: "::1", CLICKHOUSE_PORT: "8124" }, "http://[::1]:8124"],
    [{ CLICKHOUSE_HOST: "http://localhost", CLICKHOUSE_PORT: "8125" }, "http://localhost:8125"],
    [{ CLICKHOUSE_HOST: "http://localhost:9000", CLICKHOUSE_PORT: "9000" }, "http://localhost:9000"],
    [{ CLICKHOUSE_HOST: "ch.example.com", CLICKHOUSE_PROTOCOL: "HTTPS" }, "https://ch.example.com:8443"],
    [{ CLICKHOUSE_HOST: "https://ch.example.com", CLICKHOUSE_PROTOCOL: "https" }, "https://ch.example.com:8443"],
    // Ports a URL parser would take for the scheme's default, though ClickHouse's are others.
    [{ CLICKHOUSE_HOST: "http://localhost:80" }, "http://localhost:80"],
    [{ CLICKHOUSE_HOST: "https://ch.example.com:443" }, "https://ch.example.com:443"],
    [{ CLICKHOUSE_HOST: "localhost:80" }, "http://localhost:80"],
  ])("reads %j as %s", (env, url) => {
    expect(clickHouseUrl(env)).toBe(url);
  });

  it.each([
    [{ CLICKHOUSE_HOST: "http://localhost:9000", CLICKHOUSE_PORT: "8123" }, "CLICKHOUSE_PORT", "is 8123, but CLICKHOUSE_HOST names port 9000"],
    [{ CLICKHOUSE_HOST: "http://x", CLICKHOUSE_PROTOCOL: "https" }, "CLICKHOUSE_PROTOCOL", "is https, but CLICKHOUSE_HOST says http://"],
    [{ CLICKHOUSE_HOST: "x", CLICKHOUSE_PROTOCOL: "ftp" }, "CLICKHOUSE_PROTOCOL", "must be one of http, https"],
    [{ CLICKHOUSE_PORT: "0" }, "CLICKHOUSE_PORT", "must be between 1 and 65535"],
    [{ CLICKHOUSE_HOST: "ftp://x" }, "CLICKHOUSE_HOST", "must use http:// or https://, got ftp://"],
    [{ CLICKHOUSE_HOST: "http://x/path" }, "CLICKHOUSE_HOST", "without a path"],
    [{ CLICKHOUSE_HOST: "http://x?db=y" }, "CLICKHOUSE_HOST", "without a path"],
    [{ CLICKHOUSE_HOST: "x y" }, "CLICKHOUSE_HOST", "is neither a host name nor an http(s):// URL"],
    [{ CLICKHOUSE_HOST: "localhost:abc" }, "CLICKHOUSE_HOST", "is neither a host name nor an http(s):// URL"],
    [{ CLICKHOUSE_HOST: "http://localhost:80", CLICKHOUSE_PORT: "8123" }, "CLICKHOUSE_PORT", "is 8123, but CLICKHOUSE_HOST names port 80"],
    [{ CLICKHOUSE_HOST: "http://localhost:0" }, "CLICKHOUSE_HOST", "names port 0, not between 1 and 65535"],
  ])("refuses %j naming %s", (env, variable, text) => {
    const e = refusal(env);
    expect(e.variable).toBe(variable);
    expect(e.message).toContain(text);
  });

  it.each(["http://user:s3cret@x", "http://:s3cret@x", "user:s3cret@x", "http://user:s3cret@x/path"])(
    "refuses credentials in %s without repeating the password",
    (host) => {
      const e = refusal({ CLICKHOUSE_HOST: host });
      expect(e.variable).toBe("CLICKHOUSE_HOST");
      expect(e.message).toContain("must not hold credentials");
      expect(e.message).not.toContain("s3cret");
    },
  );

  it.each(["http://user:s3cret@host:99999", "http://user:s3cret@ho st", "user:s3cret@host:99999"])(
    "refuses the malformed %s without repeating the password",
    (host) => {
      const e = refusal({ CLICKHOUSE_HOST: host });
      expect(e.variable).toBe("CLICKHOUSE_HOST");
      expect(e.message).not.toContain("s3cret");
    },
  );
});
