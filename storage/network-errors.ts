/** Socket-level failures: they say nothing about the statement or the rows. */
const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const networkMessages = /socket hang up|ECONNREFUSED|ECONNRESET|Connection terminated|connect ETIMEDOUT|Timeout error|timeout exceeded when trying to connect/i;

/** True when `e` (or an error it wraps) is a network failure; both databases' classifiers start here. */
export function isNetworkError(e: unknown): boolean {
  for (let err = e as { code?: unknown; message?: string; cause?: unknown } | undefined, depth = 0; err && depth < 5; err = err.cause as typeof err, depth++) {
    if (typeof err.code === "string" && networkCodes.has(err.code)) return true;
    if (networkMessages.test(err.message ?? "")) return true;
  }
  return false;
}

/** The host a refused connection was aimed at, when the error says (ENOTFOUND names it). */
export function unresolvedHost(e: unknown): string | undefined {
  for (let err = e as { code?: unknown; hostname?: string; cause?: unknown } | undefined, depth = 0; err && depth < 5; err = err.cause as typeof err, depth++) {
    if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") return err.hostname;
  }
  return undefined;
}
