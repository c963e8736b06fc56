import { InvalidInputError } from "../core/errors/domain-errors.js";

/**
 * Refuses text that would be corrupted or rejected downstream: lone surrogates
 * (not encodable as UTF-8), U+FFFD (what a decoder leaves of invalid UTF-8 bytes;
 * the transports decode leniently, so this is where invalid input shows) and NUL
 * (PostgreSQL text and JSONB cannot store it).
 */
export function checkText(s: string, field: string): void {
  const problem = textProblem(s);
  if (problem !== undefined) throw new InvalidInputError(field, problem);
}

/** What checkText would refuse in `s`, if anything (no error built: for hot loops). */
export function textProblem(s: string): string | undefined {
  if (!s.isWellFormed()) return "is not valid UTF-8 (lone surrogate)";
  return decodedTextProblem(s);
}

/** textProblem for text a UTF-8 decoder produced: it never holds lone surrogates. */
export function decodedTextProblem(s: string): string | undefined {
  if (s.includes("\uFFFD")) return "is not valid UTF-8";
  if (s.includes("\u0000")) return "must not contain NUL characters";
  return undefined;
}
