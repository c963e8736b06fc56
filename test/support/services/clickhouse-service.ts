// ClickHouse for tests: CLICKHOUSE_URL / CLICKHOUSE_HOST, else a container, else
// Debian's clickhouse-server (18.16) with a generated config in a temp dir.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePorts } from "../ports.js";
import { waitUntil } from "../wait.js";
import { clickHouseConfigXml, clickHouseUsersXml } from "./clickhouse-config.js";
import { exitedWithLog, makeTempDir, spawnTracked } from "./process-utils.js";
import { ensureBinary, findBinary, once, provideWith } from "./provisioning.js";
import { type RestartableServer, restartableServer } from "./server-lifecycle.js";
import type { ProvidedService } from "./types.js";

/** Pinned so container runs are reproducible; note it is far newer than Debian's 18.16. */
export const CLICKHOUSE_IMAGE = "clickhouse/clickhouse-server:24.8";

function urlFromEnv(env = process.env): string | undefined {
  if (env.CLICKHOUSE_URL) return env.CLICKHOUSE_URL;
  if (!env.CLICKHOUSE_HOST) return undefined;
  return `http://${env.CLICKHOUSE_HOST}:${env.CLICKHOUSE_PORT ?? 8123}`;
}

/** Debian ships /usr/sbin/clickhouse-server; upstream packages ship one `clickhouse` multi-tool binary. */
function findServerCommand(): string[] | undefined {
  const dedicated = findBinary(["clickhouse-server"]);
  if (dedicated) return [dedicated];
  const multi = findBinary(["clickhouse"]);
  return multi ? [multi, "server"] : undefined;
}

/** Runs a query over the HTTP interface and returns the raw body (throws on non-2xx). */
export async function clickHouseQuery(url: string, sql: string): Promise<string> {
  const res = await fetch(url, { method: "POST", body: sql });
  const body = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${res.status}: ${body.trim()}`);
  return body;
}

export interface LocalClickHouse extends ProvidedService, RestartableServer {
  httpPort: number;
  tcpPort: number;
  /** Holds config, data/ (parts are written there on INSERT, so they survive kill()) and log/. */
  dir: string;
}

/** A throwaway server; a cluster's members are given their ports and the cluster's settings. */
export async function startLocalClickHouse(
  opts: { ports?: [number, number]; extraXml?: string; loadBalancing?: "random" | "in_order" } = {},
): Promise<LocalClickHouse> {
  let cmd: string[] | undefined;
  await ensureBinary("clickhouse", () => (cmd = findServerCommand())?.[0]);
  const [httpPort, tcpPort] = opts.ports ?? (await freePorts(2));
  const dir = makeTempDir("ch");
  for (const sub of ["log", "data", "tmp", "user_files", "format_schemas"]) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, "config.xml"), clickHouseConfigXml({ dir, httpPort, tcpPort, extraXml: opts.extraXml }));
  writeFileSync(join(dir, "users.xml"), clickHouseUsersXml(opts.loadBalancing));

  const [bin, ...pre] = cmd!;
  const url = `http://127.0.0.1:${httpPort}`;
  const ping = async () => (await (await fetch(`${url}/ping`)).text()).trim() === "Ok.";
  const server = restartableServer({
    dir,
    spawn: () =>
      spawnTracked(bin, [...pre, `--config-file=${join(dir, "config.xml")}`], {
        cwd: dir,
        logFile: join(dir, "log", "stdout.log"),
      }),
    ready: (proc) => waitUntil(`clickhouse-server on ${httpPort}`, ping, { gaveUp: exitedWithLog(proc), timeoutMs: 60_000 }),
    haltSignal: "SIGTERM",
    graceMs: 15_000,
  });
  try {
    await server.restart();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { url, source: "local", httpPort, tcpPort, dir, ...server };
}

export function provideClickHouse(): Promise<ProvidedService> {
  return provideWith("clickhouse", {
    fromEnv: () => urlFromEnv(),
    async container() {
      const { GenericContainer, Wait } = await import("testcontainers");
      const c = await new GenericContainer(CLICKHOUSE_IMAGE)
        // Recent images lock the passwordless default user to localhost unless told not to.
        .withEnvironment({ CLICKHOUSE_SKIP_USER_SETUP: "1" })
        .withExposedPorts(8123)
        .withWaitStrategy(Wait.forHttp("/ping", 8123))
        .start();
      const url = `http://${c.getHost()}:${c.getMappedPort(8123)}`;
      return { url, source: "container", stop: once(async () => void (await c.stop())) };
    },
    async local() {
      const ch = await startLocalClickHouse();
      return { url: ch.url, source: "local", stop: ch.stop };
    },
  });
}
