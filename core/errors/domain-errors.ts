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

export type DomainError = InvalidInputError | TooLargeError | UnavailableError;

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof InvalidInputError || e instanceof TooLargeError || e instanceof UnavailableError;
}
