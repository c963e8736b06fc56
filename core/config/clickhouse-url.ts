import { ConfigError } from "../errors/config-error.js";
import type { EnvReaders } from "./env-readers.js";

const defaultPorts = { http: 8123, https: 8443 } as const;

/**
 * ClickHouse's HTTP URL from CLICKHOUSE_HOST, CLICKHOUSE_PORT and
 * CLICKHOUSE_PROTOCOL. The host may be a name or address (`localhost`,
 * `10.0.0.5:8123`, `::1`) or a URL with its scheme, as the original project's
 * .example.env writes it (`http://localhost`); settings that contradict each
 * other are refused rather than guessed between.
 */
export function clickHouseUrl(p: EnvReaders): string {
  const host = p.string("CLICKHOUSE_HOST", "localhost");
  const port = p.optionalInt("CLICKHOUSE_PORT", 1, 65535);
  const protocol = p.optionalOneOf("CLICKHOUSE_PROTOCOL", ["http", "https"]);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host);
  const bare = host.includes(":") && !host.startsWith("[") && (host.match(/:/g) ?? []).length > 1 ? `[${host}]` : host; // a bare IPv6 address
  let url: URL;
  try {
    url = new URL(withScheme ? host : `${protocol ?? "http"}://${bare}`);
  } catch {
    throw new ConfigError("CLICKHOUSE_HOST", `"${host}" is neither a host name nor an http(s):// URL`);
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== "http" && scheme !== "https") throw new ConfigError("CLICKHOUSE_HOST", `must use http:// or https://, got ${url.protocol}//`);
  if (url.username || url.password) throw new ConfigError("CLICKHOUSE_HOST", "must not hold credentials: set CLICKHOUSE_USER and CLICKHOUSE_PASSWORD");
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw new ConfigError("CLICKHOUSE_HOST", `must be a host (and port), without a path: got "${host}"`);
  }
  if (protocol !== undefined && protocol !== scheme) {
    throw new ConfigError("CLICKHOUSE_PROTOCOL", `is ${protocol}, but CLICKHOUSE_HOST says ${scheme}://`);
  }
  if (url.port !== "" && port !== undefined && Number(url.port) !== port) {
    throw new ConfigError("CLICKHOUSE_PORT", `is ${port}, but CLICKHOUSE_HOST names port ${url.port}`);
  }
  const finalPort = url.port !== "" ? Number(url.port) : (port ?? defaultPorts[scheme]);
  return `${scheme}://${url.hostname}:${finalPort}`;
}
