// Redis for tests: REDIS_URL, else a redis:7 container, else a local redis-server
// on a free loopback port (never the machine's own 6379).
import { connect } from "node:net";
import { join } from "node:path";
import { freePorts } from "../ports.js";
import { waitUntil } from "../wait.js";
import { exitedWithLog, makeTempDir, removeDir, spawnTracked, stopChild, type TrackedChild } from "./process-utils.js";
import { ensureBinary, findBinary, once, provideWith } from "./provisioning.js";
import type { ProvidedService } from "./types.js";

export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  /** Graceful shutdown, then removes the data dir. */
  stop(): Promise<void>;
  /** SIGKILL: simulates a crash (no shutdown save, no final fsync). */
  kill(): Promise<void>;
  /** Starts again on the same port and dir (stopping first if still running), so AOF data survives. */
  restart(): Promise<void>;
}

/** Raw-socket PING so readiness checks don't depend on a client's reconnect logic. */
export function redisPing(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1_000, () => done(false));
    sock.once("error", () => done(false));
    sock.once("connect", () => sock.write("PING\r\n"));
    // During AOF loading Redis answers -LOADING, so only +PONG means ready.
    sock.once("data", (buf) => done(buf.toString().startsWith("+PONG")));
  });
}

export async function startLocalRedis(opts: { appendonly?: boolean; port?: number } = {}): Promise<LocalRedis> {
  const bin = await ensureBinary("redis", () => findBinary(["redis-server"]));
  const port = opts.port ?? (await freePorts(1))[0];
  const dir = makeTempDir("redis");
  const persistence = opts.appendonly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--daemonize", "no", ...persistence];

  let proc: TrackedChild;
  const launch = async () => {
    proc = spawnTracked(bin, args, { cwd: dir, logFile: join(dir, "redis.log") });
    await waitUntil(`redis-server on ${port}`, () => redisPing(port), { gaveUp: exitedWithLog(proc), timeoutMs: 20_000, intervalMs: 50 });
  };
  await launch();

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill: () => stopChild(proc, "SIGKILL"),
    restart: async () => {
      await stopChild(proc);
      await launch();
    },
    stop: once(async () => {
      await stopChild(proc);
      removeDir(dir);
    }),
  };
}

export function provideRedis(): Promise<ProvidedService> {
  return provideWith("redis", {
    fromEnv: () => process.env.REDIS_URL || undefined,
    async container() {
      // Dynamic import: testcontainers isn't loaded at all when Docker is absent.
      const { GenericContainer } = await import("testcontainers");
      const c = await new GenericContainer("redis:7").withExposedPorts(6379).start();
      const url = `redis://${c.getHost()}:${c.getMappedPort(6379)}`;
      return { url, source: "container", stop: once(async () => void (await c.stop())) };
    },
    async local() {
      const r = await startLocalRedis();
      return { url: r.url, source: "local", stop: r.stop };
    },
  });
}
