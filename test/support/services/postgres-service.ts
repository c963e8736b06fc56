// Postgres for tests: POSTGRES_URL / POSTGRES_HOST*, else a postgres:16 container,
// else a throwaway cluster from Debian's binaries on a free loopback port (never 5432).
import { execFile } from "node:child_process";
import { chownSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePorts } from "../ports.js";
import { waitUntil } from "../wait.js";
import { exitedWithLog, makeTempDir, spawnTracked } from "./process-utils.js";
import { ensureBinary, once, provideWith } from "./provisioning.js";
import { type RestartableServer, restartableServer } from "./server-lifecycle.js";
import type { ProvidedService } from "./types.js";

const run = promisify(execFile);
export const TEST_DATABASE = "insightplus_test";

function urlFromEnv(env = process.env): string | undefined {
  if (env.POSTGRES_URL) return env.POSTGRES_URL;
  if (!env.POSTGRES_HOST) return undefined;
  const user = encodeURIComponent(env.POSTGRES_USER ?? "postgres");
  const auth = env.POSTGRES_PASSWORD ? `${user}:${encodeURIComponent(env.POSTGRES_PASSWORD)}` : user;
  return `postgres://${auth}@${env.POSTGRES_HOST}:${env.POSTGRES_PORT ?? 5432}/${env.POSTGRES_DB ?? TEST_DATABASE}`;
}

/** Newest /usr/lib/postgresql/<major>/bin that has initdb (Debian keeps server binaries off PATH). */
export function findPostgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")));
  majors.sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(root, majors[0], "bin") : undefined;
}

/** Postgres refuses to run as root, so as root we drop to the `postgres` user the package creates. */
async function serverIdentity(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export interface LocalPostgres extends ProvidedService, RestartableServer {
  port: number;
  /** Holds the cluster in data/, the socket and postgres.log; removed by stop(). */
  dir: string;
}

/** A new server; with `replicaOf`, a hot standby streaming from that one (pg_basebackup -R), read-only. */
export async function startLocalPostgres(opts: { replicaOf?: LocalPostgres } = {}): Promise<LocalPostgres> {
  const bin = await ensureBinary("postgres", findPostgresBinDir);
  const [port] = await freePorts(1);
  const dir = makeTempDir("pg");
  const id = await serverIdentity();
  if (id.uid !== undefined) chownSync(dir, id.uid, id.gid!);
  const env = { ...process.env, LC_ALL: "C", LANG: "C" };
  const data = join(dir, "data");
  const ready = join(bin, "pg_isready");

  const server = restartableServer({
    dir,
    // fsync=off: test data is disposable, speed matters more. synchronous_commit stays on:
    // with fsync off a commit is just a write() into the page cache, cheap, and it is what
    // makes a committed row survive kill(); with it off, WAL can still sit in shared memory.
    spawn: () =>
      spawnTracked(
        join(bin, "postgres"),
        ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"],
        { cwd: dir, env, logFile: join(dir, "postgres.log"), ...id },
      ),
    // pg_isready fails while crash recovery replays WAL, so this also waits for that.
    ready: (proc) =>
      waitUntil(`postgres on ${port}`, () => run(ready, ["-q", "-h", "127.0.0.1", "-p", String(port)]).then(() => true), {
        gaveUp: exitedWithLog(proc),
        timeoutMs: 30_000,
      }),
    haltSignal: "SIGINT", // "fast" shutdown: disconnects clients, writes a shutdown checkpoint
  });
  try {
    if (opts.replicaOf) {
      // initdb's trust rules let 127.0.0.1 replicate; -R writes standby.signal and the primary's address; a fast
      // checkpoint, or it waits for the next spread one (minutes). The primary's databases come with it.
      const from = ["-h", "127.0.0.1", "-p", String(opts.replicaOf.port), "-U", "postgres"];
      await run(join(bin, "pg_basebackup"), [...from, "-D", data, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"], { cwd: dir, env, ...id });
      await server.restart();
    } else {
      await run(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"], {
        cwd: dir,
        env,
        ...id,
      });
      await server.restart();
      await run(join(bin, "psql"), [
        "-X",
        "-q",
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        `CREATE DATABASE ${TEST_DATABASE}`,
      ]);
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/${TEST_DATABASE}`, source: "local", port, dir, ...server };
}

export function providePostgres(): Promise<ProvidedService> {
  return provideWith("postgres", {
    fromEnv: () => urlFromEnv(),
    async container() {
      const { GenericContainer, Wait } = await import("testcontainers");
      const c = await new GenericContainer("postgres:16")
        .withEnvironment({ POSTGRES_PASSWORD: "test", POSTGRES_DB: TEST_DATABASE })
        .withExposedPorts(5432)
        // The entrypoint restarts the server once after init, hence the second "ready" line.
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      const url = `postgres://postgres:test@${c.getHost()}:${c.getMappedPort(5432)}/${TEST_DATABASE}`;
      return { url, source: "container", stop: once(async () => void (await c.stop())) };
    },
    async local() {
      const pg = await startLocalPostgres();
      return { url: pg.url, source: "local", stop: pg.stop };
    },
  });
}
