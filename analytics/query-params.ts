import { InvalidInputError } from "../core/errors/domain-errors.js";

/** An optional integer parameter within bounds; the error names the parameter. */
export function boundedInt(value: number | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(name, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** An event name as analytics take it (the same limits as capture). */
export function eventName(value: string, name: string, required = true): string {
  if (value === "" && !required) return "";
  if (value === "" || value.length > 200 || !value.isWellFormed() || value.includes("\u0000")) {
    throw new InvalidInputError(name, value === "" ? "is required" : "is not a valid event name");
  }
  return value;
}

/** A property key for breakdowns. */
export function propertyName(value: string, name: string): string {
  if (value === "" || value.length > 256 || !value.isWellFormed() || value.includes("\u0000")) {
    throw new InvalidInputError(name, value === "" ? "is required" : "is not a valid property name");
  }
  return value;
}
