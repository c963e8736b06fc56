import { ConfigError } from "../../core/errors/config-error.js";
import { isNetworkError, unresolvedHost } from "../network-errors.js";
import { firstLine, type StorageErrorClassifier } from "../storage-errors.js";

/**
 * Server codes that mean "not now" rather than "bad rows": overload, timeouts, shutting down, readonly replica,
 * keeper; on a cluster also a shard that cannot be reached (279) and no keeper (225).
 */
const transientCodes = new Set([159, 164, 202, 203, 209, 210, 225, 241, 242, 252, 279, 319, 425, 999]);
/** Unknown user, wrong password, authentication failed, access denied, unknown database. */
const credentialCodes = new Set([192, 193, 516]);
const configurationCodes = new Set([...credentialCodes, 81, 497]);

/** ClickHouse 18.16 answers with plain errors; the server code is only in the message ("Code: 241"). */
export function clickHouseCode(e: unknown): number | undefined {
  const err = e as { code?: string; message?: string };
  const n = Number(err.code ?? /Code: (\d+)/.exec(err.message ?? "")?.[1]);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The one ClickHouse error classifier; `where` is the server's URL and database, without credentials. */
export function createClickHouseErrors(where: { url: string; database: string; username: string }): StorageErrorClassifier {
  return {
    classify(e) {
      if (isNetworkError(e)) return "transient";
      const code = clickHouseCode(e);
      if (code !== undefined && transientCodes.has(code)) return "transient";
      if (code !== undefined && configurationCodes.has(code)) return "configuration";
      if (/authentication failed|password is incorrect/i.test((e as Error)?.message ?? "")) return "configuration";
      return "permanent";
    },
    isUnknownZone(e) {
      return /cannot load time ?zone|unknown time ?zone/i.test((e as Error)?.message ?? "");
    },
    explain(e) {
      const code = clickHouseCode(e);
      const host = unresolvedHost(e);
      if (host !== undefined) return new ConfigError("CLICKHOUSE_HOST", `cannot resolve the host "${host}" (ClickHouse at ${where.url})`);
      if (isNetworkError(e)) return new ConfigError("CLICKHOUSE_HOST/CLICKHOUSE_PORT", `cannot reach ClickHouse at ${where.url}: ${networkProblem(e)}`);
      if (/^HPE_/.test(String((e as { code?: unknown }).code ?? ""))) {
        return new ConfigError("CLICKHOUSE_HOST/CLICKHOUSE_PORT", `${where.url} answered, but not as ClickHouse's HTTP interface (${firstLine(e)})`);
      }
      if ((code !== undefined && credentialCodes.has(code)) || /authentication failed|password is incorrect/i.test((e as Error)?.message ?? "")) {
        return new ConfigError("CLICKHOUSE_USER/CLICKHOUSE_PASSWORD", `ClickHouse at ${where.url} refused the credentials of user "${where.username}"`);
      }
      if (code === 497)
        return new ConfigError("CLICKHOUSE_USER", `user "${where.username}" may not create or use database "${where.database}": ${firstLine(e)}`);
      if (code === 81) return new ConfigError("CLICKHOUSE_DB", `database "${where.database}" does not exist on ${where.url}`);
      return new ConfigError("CLICKHOUSE_HOST", `ClickHouse at ${where.url}/${where.database} failed: ${firstLine(e)}`);
    },
  };
}

/** What a network failure at start-up says about the address: nothing there, something else there, or no answer. */
function networkProblem(e: unknown): string {
  const text = `${(e as Error)?.message ?? ""} ${String((e as { code?: unknown })?.code ?? "")}`;
  if (/ECONNREFUSED/.test(text)) return "nothing listens there (connection refused)";
  if (/socket hang up|ECONNRESET|HPE_/.test(text)) {
    return "something there closed the connection without an HTTP answer; ClickHouse's HTTP port is 8123 (9000 is its native protocol)";
  }
  if (/ETIMEDOUT|Timeout/i.test(text)) return "no answer in time (a firewall, or the wrong host?)";
  return firstLine(e);
}
