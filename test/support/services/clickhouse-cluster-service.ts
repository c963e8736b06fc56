// A ClickHouse 18.16 cluster for tests: a ZooKeeper and three servers on loopback, with two clusters over
// them in every server's remote_servers: `two_shards` (a server each, plain engines) and
// `two_shards_replicated` (the first shard on server 0, the second on servers 1 and 2 as its replicas).
import { freePorts } from "../ports.js";
import { type LocalClickHouse, startLocalClickHouse } from "./clickhouse-service.js";
import { once } from "./provisioning.js";
import type { ProvidedService } from "./types.js";
import { startLocalZooKeeper } from "./zookeeper-service.js";

export const plainCluster = "two_shards";
export const replicatedCluster = "two_shards_replicated";

export interface LocalClickHouseCluster {
  /** Server 0's URL: the engine's CLICKHOUSE_HOST/PORT. */
  url: string;
  servers: LocalClickHouse[];
  zookeeperLog: string;
  stop(): Promise<void>;
}

const replicaXml = (tcpPort: number) => `<replica><host>127.0.0.1</host><port>${tcpPort}</port></replica>`;
/** internal_replication: true where the tables are Replicated (they copy rows between replicas), false where not. */
const shardXml = (tcpPorts: number[], replicated: boolean) =>
  `<shard><internal_replication>${replicated}</internal_replication>${tcpPorts.map(replicaXml).join("")}</shard>`;

export async function startLocalClickHouseCluster(): Promise<LocalClickHouseCluster> {
  const zookeeper = await startLocalZooKeeper();
  const servers: LocalClickHouse[] = [];
  const stop = once(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await zookeeper.stop();
  });
  try {
    const ports = await freePorts(9);
    const [http, tcp, interserver] = [ports.slice(0, 3), ports.slice(3, 6), ports.slice(6, 9)];
    const remoteServers = `<remote_servers>
      <${plainCluster}>${shardXml([tcp[0]], false)}${shardXml([tcp[1]], false)}</${plainCluster}>
      <${replicatedCluster}>${shardXml([tcp[0]], true)}${shardXml([tcp[1], tcp[2]], true)}</${replicatedCluster}>
    </remote_servers>`;
    const shardOf = [1, 2, 2];
    for (const i of [0, 1, 2]) {
      const extraXml = `${remoteServers}
        <zookeeper><node><host>127.0.0.1</host><port>${zookeeper.port}</port></node></zookeeper>
        <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
        <macros><shard>${shardOf[i]}</shard><replica>replica${i}</replica></macros>
        <interserver_http_host>127.0.0.1</interserver_http_host>
        <interserver_http_port>${interserver[i]}</interserver_http_port>`;
      // A shard's first replica takes its inserts and reads while it is up, so what a test stored it reads back at
      // once (with `random`, a read may reach the replica that has not fetched it yet: README "ClickHouse clusters").
      servers.push(await startLocalClickHouse({ ports: [http[i], tcp[i]], extraXml, loadBalancing: "in_order" }));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: servers[0].url, servers, zookeeperLog: zookeeper.logFile, stop };
}

/** TEST_CLICKHOUSE_CLUSTER_URL: a server of a cluster set up as above elsewhere; else the local one. */
export async function provideClickHouseCluster(): Promise<ProvidedService> {
  const url = process.env.TEST_CLICKHOUSE_CLUSTER_URL;
  if (url) return { url, source: "env", stop: async () => {} };
  const cluster = await startLocalClickHouseCluster();
  return { url: cluster.url, source: "local", stop: cluster.stop };
}
