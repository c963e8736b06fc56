import { Code, ConnectError } from "@connectrpc/connect";
import { isDomainError, RateLimitedError, UnavailableError } from "../../core/errors/domain-errors.js";

/**
 * The one status table: every transport maps errors through it, so a refused
 * event reads the same over gRPC, Connect and REST.
 */
const httpStatusByCode: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.ResourceExhausted]: 413,
  [Code.Unimplemented]: 501,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
  [Code.Canceled]: 499,
};

const codeByKind = {
  invalid: Code.InvalidArgument,
  too_large: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  unauthenticated: Code.Unauthenticated,
  permission_denied: Code.PermissionDenied,
  rate_limited: Code.ResourceExhausted,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
} as const;

/** Converts any thrown value into the ConnectError the RPC layer answers with. */
export function toConnectError(e: unknown): ConnectError {
  if (e instanceof ConnectError) return e;
  if (isDomainError(e)) {
    const metadata = new Headers();
    if (e instanceof UnavailableError || e instanceof RateLimitedError) metadata.set("retry-after", String(e.retryAfterSeconds));
    return new ConnectError(e.message, codeByKind[e.kind], metadata, undefined, e);
  }
  // Anything else is our fault: the client gets a plain "internal error", the log gets the cause.
  return new ConnectError("internal error", Code.Internal, undefined, undefined, e);
}

/** The REST status: the code's, except RESOURCE_EXHAUSTED, which is 413 for a body too large and 429 for a rate limit. */
export function httpStatusOf(err: ConnectError): number {
  if (err.cause instanceof RateLimitedError) return 429;
  return httpStatusByCode[err.code] ?? 500;
}

/** JSON body of a REST error: the original's NestJS shape plus a machine-readable code and field. */
export function restErrorBody(err: ConnectError) {
  const status = httpStatusOf(err);
  const field = fieldOf(err);
  return {
    statusCode: status,
    error: Code[err.code],
    code: codeName(err.code),
    message: err.rawMessage,
    ...(field ? { field } : {}),
  };
}

/** The request field a domain error names, if any. */
export function fieldOf(err: ConnectError): string | undefined {
  return (err.cause as { field?: string } | undefined)?.field;
}

/** snake_case code name as the Connect protocol spells it, e.g. "invalid_argument". */
export function codeName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}
