import { InvalidInputError } from "../errors/domain-errors.js";

/**
 * Refuses text that would be corrupted or rejected downstream: lone surrogates
 * (not encodable as UTF-8), U+FFFD (what a decoder leaves of invalid UTF-8 bytes;
 * the transports decode leniently, so this is where invalid input shows) and NUL
 * (PostgreSQL text and JSONB cannot store it).
 */
export function checkText(s: string, field: string): void {
  if (!s.isWellFormed()) throw new InvalidInputError(field, "is not valid UTF-8 (lone surrogate)");
  if (s.includes("\uFFFD")) throw new InvalidInputError(field, "is not valid UTF-8");
  if (s.includes("\u0000")) throw new InvalidInputError(field, "must not contain NUL characters");
}
