// Minimal config for a throwaway clickhouse-server, based on Debian's 18.16
// /etc/clickhouse-server/{config,users}.xml. 18.16 predates the <clickhouse>
// root element, so we use <yandex> (newer servers still accept it).

export interface ClickHouseLayout {
  dir: string;
  httpPort: number;
  tcpPort: number;
  /** More settings inside the root element (a cluster's remote_servers, keeper, macros). */
  extraXml?: string;
}

/**
 * No interserver_http_port / mysql_port / postgresql_port: when omitted the server
 * doesn't open them (18.16's packaged config sets interserver 9009, which would clash).
 * No <remote_servers>, <zookeeper>, <query_log>, so nothing points at :9000 or /etc.
 */
export function clickHouseConfigXml({ dir, httpPort, tcpPort, extraXml = "" }: ClickHouseLayout): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level>
    <log>${dir}/log/clickhouse-server.log</log>
    <errorlog>${dir}/log/clickhouse-server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <!-- Packaged defaults are 8 GiB / 5 GiB; caches allocate lazily, but keep them modest. -->
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <dictionaries_config>${dir}/*_dictionary.xml</dictionaries_config>
${extraXml}
</yandex>
`;
}

/**
 * `default` user, empty password, loopback only; 18.16 requires the profile and quota a user names to exist.
 * `loadBalancing` picks a shard's replica for reads and Distributed inserts alike.
 */
export function clickHouseUsersXml(loadBalancing: "random" | "in_order" = "random"): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <use_uncompressed_cache>0</use_uncompressed_cache>
      <load_balancing>${loadBalancing}</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks>
        <ip>127.0.0.1</ip>
        <ip>::1</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;
}
