import { ConfigError } from "../../core/errors/config-error.js";
import { isNetworkError, unresolvedHost } from "../network-errors.js";
import { firstLine, type StorageErrorClassifier } from "../storage-errors.js";

// SQLSTATE classes and codes that mean the server, not the statement, is the problem:
// connection exceptions (08), insufficient resources (53), operator intervention
// (57P01–57P05: shutdown, cannot connect now, idle timeouts), query canceled by a
// timeout (57014), and deadlock / serialization failures (two batches written at once
// can meet on a redelivered uuid; the statement is simply tried again).
const transientStates = /^(08|53|57P|57014$|40P01$|40001$)/;
// Wrong password, no such role, no such database, not allowed.
const configurationStates = /^(28P01|28000|3D000|42501)$/;

const stateOf = (e: unknown) => String((e as { code?: unknown })?.code ?? "");

/** A row whose key is already stored (23505): for the sink, a redelivered event. */
export const isUniqueViolation = (e: unknown) => stateOf(e) === "23505";

/**
 * The one PostgreSQL (and PGlite) error classifier. `where` names the server
 * without credentials, or the data directory of the embedded database.
 */
export function createPostgresErrors(where: { target: string; database: string; user: string; embedded: boolean }): StorageErrorClassifier {
  return {
    classify(e) {
      const state = stateOf(e);
      if (transientStates.test(state) || isNetworkError(e)) return "transient";
      if (configurationStates.test(state)) return "configuration";
      return "permanent";
    },
    isUnknownZone(e) {
      return stateOf(e) === "22023" && /time zone/i.test((e as Error)?.message ?? "");
    },
    explain(e) {
      const state = stateOf(e);
      if (where.embedded) return new ConfigError("DATA_DIR", `cannot open the embedded database in ${where.target}: ${firstLine(e)}`);
      const host = unresolvedHost(e);
      if (host !== undefined) return new ConfigError("POSTGRES_HOST", `cannot resolve the host "${host}" (PostgreSQL at ${where.target})`);
      if (isNetworkError(e)) return new ConfigError("POSTGRES_HOST/POSTGRES_PORT", `cannot reach PostgreSQL at ${where.target} (${firstLine(e)})`);
      if (state === "28P01" || state === "28000") {
        return new ConfigError("POSTGRES_USER/POSTGRES_PASSWORD", `PostgreSQL at ${where.target} refused the credentials of user "${where.user}"`);
      }
      if (state === "3D000") return new ConfigError("POSTGRES_DB", `database "${where.database}" does not exist on ${where.target}`);
      if (state === "42501") return new ConfigError("POSTGRES_USER", `user "${where.user}" lacks a privilege: ${firstLine(e)}`);
      return new ConfigError("POSTGRES_HOST", `PostgreSQL at ${where.target} failed: ${firstLine(e)}`);
    },
  };
}
