// A Redis Cluster for tests: `masters` redis-server processes on loopback ports with
// cluster-enabled, slots split evenly, joined with CLUSTER MEET (no redis-cli needed).
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePorts } from "../ports.js";
import { waitUntil } from "../wait.js";
import { exitedWithLog, makeTempDir, removeDir, spawnTracked, stopChild, type TrackedChild } from "./process-utils.js";
import { ensureBinary, findBinary, once } from "./provisioning.js";
import { redisPing } from "./redis-service.js";

export interface LocalRedisCluster {
  /** redis://127.0.0.1:PORT of every node (masters first, then replicas), the seed list REDIS_CLUSTER_NODES takes. */
  nodes: string[];
  /** The masters' ports first, then the replicas'. */
  ports: number[];
  /** How many keys matching `pattern` (a SCAN MATCH pattern) each master holds, by port. */
  keysPerNode(pattern: string): Promise<Map<number, number>>;
  /** SIGKILL to one node (a crash: with AOF on, what it acknowledged is on disk). */
  kill(port: number): Promise<void>;
  /** Starts a killed node again on its port and files; resolves once the cluster says ok again. */
  restart(port: number): Promise<void>;
  /** Resolves once the nodes still up serve every slot again (after a master's failure: its replica promoted). */
  serving(): Promise<void>;
  /** Stops every node and removes their files. */
  stop(): Promise<void>;
}

const slots = 16384;

/** `replicas`: each master gets that many replicas (CLUSTER REPLICATE), which take over when it fails. */
export async function startLocalRedisCluster(masters = 3, opts: { appendonly?: boolean; replicas?: number } = {}): Promise<LocalRedisCluster> {
  const bin = await ensureBinary("redis", () => findBinary(["redis-server"]));
  const nodes = masters * (1 + (opts.replicas ?? 0));
  const ports = await freePorts(nodes);
  const dir = makeTempDir("redis-cluster");
  const procs: TrackedChild[] = [];
  const clients: Redis[] = [];
  const stop = once(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(procs.map((p) => stopChild(p)));
    removeDir(dir);
  });
  const launch = async (port: number, at: number) => {
    const persistence = opts.appendonly ? ["--appendonly", "yes", "--appendfsync", "always", "--appendfilename", `aof-${port}.aof`] : ["--appendonly", "no"];
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...persistence, "--daemonize", "no"];
    args.push("--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`, "--cluster-node-timeout", "2000");
    if (opts.appendonly) args.push("--appenddirname", `aof-${port}`);
    const proc = spawnTracked(bin, args, { cwd: dir, logFile: join(dir, `redis-${port}.log`) });
    procs[at] = proc;
    await waitUntil(`redis-server on ${port}`, () => redisPing(port), { gaveUp: exitedWithLog(proc), timeoutMs: 20_000, intervalMs: 50 });
  };
  // A replica confirms writes (WAIT) only once its sync with its master is done.
  const replicasInSync = () =>
    waitUntil(
      "every replica in sync",
      async () => {
        const infos = await Promise.all(clients.map((c) => c.info("replication").catch(() => "")));
        return infos.every((i) => !i.includes("role:slave") || i.includes("master_link_status:up"));
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
  const clusterOk = () =>
    waitUntil(
      "the cluster to agree on its slots",
      async () => {
        const infos = await Promise.all(clients.map((c) => (c.call("CLUSTER", "INFO") as Promise<string>).catch(() => "")));
        return infos.every((i) => i.includes("cluster_state:ok") && i.includes(`cluster_known_nodes:${nodes}`));
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  try {
    for (const [i, port] of ports.entries()) {
      await launch(port, i);
      const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true });
      client.on("error", () => undefined); // a killed node's client reconnects by itself
      clients.push(client);
    }
    await Promise.all(clients.map((c) => c.connect()));
    const per = Math.ceil(slots / masters);
    await Promise.all(clients.slice(0, masters).map((c, i) => c.call("CLUSTER", "ADDSLOTSRANGE", i * per, Math.min(slots, (i + 1) * per) - 1)));
    for (const port of ports.slice(1)) await clients[0].call("CLUSTER", "MEET", "127.0.0.1", port);
    // Node i beyond the masters replicates master i % masters, once it has heard of it.
    for (let i = masters; i < nodes; i++) {
      const master = String(await clients[i % masters].call("CLUSTER", "MYID"));
      await waitUntil(`node ${ports[i]} to know its master`, async () => String(await clients[i].call("CLUSTER", "NODES")).includes(master), {
        timeoutMs: 20_000,
        intervalMs: 50,
      });
      await clients[i].call("CLUSTER", "REPLICATE", master);
    }
    await clusterOk();
    await replicasInSync();
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    nodes: ports.map((p) => `redis://127.0.0.1:${p}`),
    ports,
    async keysPerNode(pattern) {
      const count = async (c: Redis) => {
        let n = 0;
        let cursor = "0";
        do {
          const [next, keys] = await c.scan(cursor, "MATCH", pattern, "COUNT", 1000);
          n += keys.length;
          cursor = next;
        } while (cursor !== "0");
        return n;
      };
      return new Map(await Promise.all(clients.map(async (c, i): Promise<[number, number]> => [ports[i], await count(c)])));
    },
    kill: (port) => stopChild(procs[ports.indexOf(port)], "SIGKILL"),
    serving: () =>
      waitUntil(
        "the cluster to serve every slot",
        async () => {
          const infos = await Promise.all(clients.map((c) => (c.call("CLUSTER", "INFO") as Promise<string>).catch(() => "")));
          const up = infos.filter((i) => i !== "");
          return up.length > 0 && up.every((i) => i.includes("cluster_state:ok") && i.includes(`cluster_slots_ok:${slots}`));
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      ),
    async restart(port) {
      await launch(port, ports.indexOf(port));
      await clusterOk();
      await replicasInSync();
    },
    stop,
  };
}
