/**
 * The input is wrong; `field` names what (JSON name, dotted for nesting).
 * Messages avoid URI-reserved characters (: ; , / ? @ & = + $ #): some gRPC
 * clients (grpc-js) decode grpc-message with decodeURI and would show "%3A".
 */
export class InvalidInputError extends Error {
  readonly kind = "invalid";
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = "InvalidInputError";
  }
}

/** The event or request is larger than the configured limit. */
export class TooLargeError extends Error {
  readonly kind = "too_large";
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = "TooLargeError";
  }
}

/** The queue cannot take events now (Redis down, or backlog above the watermark). */
export class UnavailableError extends Error {
  readonly kind = "unavailable";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = "UnavailableError";
  }
}

/** No key, or a key that names nothing in use (unknown or revoked). */
export class UnauthenticatedError extends Error {
  readonly kind = "unauthenticated";
  constructor(message: string) {
    super(message);
    this.name = "UnauthenticatedError";
  }
}

/** A valid key that may not do this (a read key at capture, a page origin the project does not allow). */
export class PermissionDeniedError extends Error {
  readonly kind = "permission_denied";
  constructor(message: string) {
    super(message);
    this.name = "PermissionDeniedError";
  }
}

/** Too many requests from one key or one address: try again after `retryAfterSeconds`. */
export class RateLimitedError extends Error {
  readonly kind = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = "RateLimitedError";
  }
}

/** What `field` names does not exist (a project, a key). */
export class NotFoundError extends Error {
  readonly kind = "not_found";
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = "NotFoundError";
  }
}

/** What `field` names exists already (a project id). */
export class AlreadyExistsError extends Error {
  readonly kind = "already_exists";
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = "AlreadyExistsError";
  }
}

export type DomainError =
  | InvalidInputError
  | TooLargeError
  | UnavailableError
  | UnauthenticatedError
  | PermissionDeniedError
  | RateLimitedError
  | NotFoundError
  | AlreadyExistsError;

const domainErrors = [
  InvalidInputError,
  TooLargeError,
  UnavailableError,
  UnauthenticatedError,
  PermissionDeniedError,
  RateLimitedError,
  NotFoundError,
  AlreadyExistsError,
];

export function isDomainError(e: unknown): e is DomainError {
  return domainErrors.some((type) => e instanceof type);
}
