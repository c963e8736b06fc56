// ZooKeeper for a test ClickHouse cluster (ON CLUSTER DDL and Replicated tables need a keeper; 18.16 has no
// ClickHouse Keeper): Debian's package, one standalone server on a loopback port, its files in a temp dir.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort } from "../ports.js";
import { waitUntil } from "../wait.js";
import { exitedWithLog, makeTempDir, removeDir, spawnTracked, stopChild } from "./process-utils.js";
import { ensureBinary, findBinary, once } from "./provisioning.js";

const jar = "/usr/share/java/zookeeper.jar";
/** Its log, to its file (without a binding slf4j says nothing). */
const simpleLogger = "/usr/share/java/slf4j-simple.jar";

export interface LocalZooKeeper {
  port: number;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Serving: "srvr" names its mode. ("ruok" answers imok before the server takes sessions, and ClickHouse 18.16
 * crashes at its next DDL when its first session was refused.)
 */
function serving(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setTimeout(1000, () => socket.destroy());
    socket.on("connect", () => socket.write("srvr"));
    socket.on("data", (d) => (answer += d.toString()));
    socket.on("close", () => resolve(answer.includes("Mode: standalone")));
    socket.on("error", () => resolve(false));
  });
}

export async function startLocalZooKeeper(): Promise<LocalZooKeeper> {
  // The package (installed with ClickHouse by scripts/install-services.sh) brings a Java runtime with it.
  const java = await ensureBinary("clickhouse", () => (existsSync(jar) ? findBinary(["java"]) : undefined));
  const port = await freePort();
  const dir = makeTempDir("zookeeper");
  mkdirSync(join(dir, "data"));
  const config = join(dir, "zoo.cfg");
  writeFileSync(
    config,
    [`tickTime=500`, `dataDir=${join(dir, "data")}`, `clientPort=${port}`, "clientPortAddress=127.0.0.1", "admin.enableServer=false"]
      .concat(["4lw.commands.whitelist=srvr", "maxClientCnxns=0"])
      .join("\n"),
  );
  const classpath = [jar, ...(existsSync(simpleLogger) ? [simpleLogger] : [])].join(":");
  const logLevel = `-Dorg.slf4j.simpleLogger.defaultLogLevel=${process.env.ZOOKEEPER_LOG_LEVEL ?? "warn"}`;
  const proc = spawnTracked(java, ["-Xmx256m", logLevel, "-cp", classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", config], {
    cwd: dir,
    logFile: join(dir, "zookeeper.log"),
  });
  const stop = once(async () => {
    await stopChild(proc);
    removeDir(dir);
  });
  try {
    await waitUntil(`zookeeper on ${port}`, () => serving(port), { gaveUp: exitedWithLog(proc), timeoutMs: 30_000, intervalMs: 50 });
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, logFile: proc.logFile, stop };
}
