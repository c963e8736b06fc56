import { ConfigError } from "../errors/config-error.js";
import type { EnvReaders } from "./env-readers.js";

const defaultPorts = { http: 8123, https: 8443 } as const;
// scheme://, optional credentials, host (a name, an address or [IPv6]), optional :port, anything after.
const hostPattern = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(?:[^@/?#]*@)?(\[[^\]]*\]|[^/:?#[\]]*)(?::(\d*))?([/?#].*)?$/i;

/**
 * ClickHouse's HTTP URL from CLICKHOUSE_HOST, CLICKHOUSE_PORT and
 * CLICKHOUSE_PROTOCOL. The host may be a name or address (`localhost`,
 * `10.0.0.5:8123`, `::1`) or a URL with its scheme, as the original project's
 * .example.env writes it (`http://localhost`); settings that contradict each
 * other are refused rather than guessed between. Parsed by hand: WHATWG URL
 * drops an explicit :80 or :443 as the scheme's default, and ClickHouse's
 * defaults are other ports.
 */
export function clickHouseUrl(p: EnvReaders): string {
  const host = p.string("CLICKHOUSE_HOST", "localhost");
  const port = p.optionalInt("CLICKHOUSE_PORT", 1, 65535);
  const protocol = p.optionalOneOf("CLICKHOUSE_PROTOCOL", ["http", "https"]);
  const shown = host.replace(/^([^@/]*\/\/)?[^@/]*@/, "$1***@"); // never echo credentials
  const bareIpv6 = !host.includes("://") && !host.startsWith("[") && (host.match(/:/g) ?? []).length > 1;
  const m = hostPattern.exec(bareIpv6 ? `[${host}]` : host);
  if (!m) throw new ConfigError("CLICKHOUSE_HOST", `"${shown}" is neither a host name nor an http(s):// URL`);
  const [, rawScheme, name, rawPort, rest] = m;
  const scheme = (rawScheme ?? protocol ?? "http").toLowerCase();
  if (scheme !== "http" && scheme !== "https") throw new ConfigError("CLICKHOUSE_HOST", `must use http:// or https://, got ${scheme}://`);
  if (host.slice(0, host.indexOf(name)).includes("@")) {
    throw new ConfigError("CLICKHOUSE_HOST", "must not hold credentials: set CLICKHOUSE_USER and CLICKHOUSE_PASSWORD");
  }
  if (name === "" || name === "[]" || /\s/.test(name)) throw new ConfigError("CLICKHOUSE_HOST", `"${shown}" is neither a host name nor an http(s):// URL`);
  if (rest !== undefined && rest !== "/") throw new ConfigError("CLICKHOUSE_HOST", `must be a host (and port), without a path: got "${shown}"`);
  if (protocol !== undefined && protocol !== scheme) {
    throw new ConfigError("CLICKHOUSE_PROTOCOL", `is ${protocol}, but CLICKHOUSE_HOST says ${scheme}://`);
  }
  const hostPort = rawPort === undefined || rawPort === "" ? undefined : Number(rawPort);
  if (hostPort !== undefined && (hostPort < 1 || hostPort > 65535)) throw new ConfigError("CLICKHOUSE_HOST", `names port ${rawPort}, not between 1 and 65535`);
  if (hostPort !== undefined && port !== undefined && hostPort !== port) {
    throw new ConfigError("CLICKHOUSE_PORT", `is ${port}, but CLICKHOUSE_HOST names port ${hostPort}`);
  }
  return `${scheme}://${name.toLowerCase()}:${hostPort ?? port ?? defaultPorts[scheme]}`;
}
