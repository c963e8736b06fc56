import { InvalidInputError } from "../../core/errors/domain-errors.js";
import { propertyName } from "../query-params.js";
import { type FilterOperator, filterOperators, type PropertyFilter } from "./insight-query.js";

const mostFilters = 20;
const longestValue = 1000;
const valueless: ReadonlySet<FilterOperator> = new Set(["is_set", "is_not_set"]);

/** A filter as a request wrote it, before validation. */
export type RawFilter = { property: string; operator: string; value: string };

/** Filters as a request wrote them; each error names the filter (`filters[2].operator`). */
export function validFilters(raw: readonly RawFilter[] | undefined, field: string): PropertyFilter[] {
  const list = raw ?? [];
  if (list.length > mostFilters) throw new InvalidInputError(field, `may hold at most ${mostFilters} filters`);
  return list.map((f, i) => validFilter(f, `${field}[${i}]`));
}

function validFilter(f: RawFilter, at: string): PropertyFilter {
  const property = propertyName(f?.property ?? "", `${at}.property`);
  const operator = f.operator as FilterOperator;
  if (!filterOperators.includes(operator)) throw new InvalidInputError(`${at}.operator`, `must be one of ${filterOperators.join(" ")}`);
  const value = f.value ?? "";
  if (valueless.has(operator)) {
    if (value !== "") throw new InvalidInputError(`${at}.value`, `must be empty for ${operator}`);
    return { property, operator, value };
  }
  if (value === "") throw new InvalidInputError(`${at}.value`, `is required for ${operator}`);
  if (value.length > longestValue || !value.isWellFormed() || value.includes("\u0000")) {
    throw new InvalidInputError(`${at}.value`, `must be text of at most ${longestValue} characters`);
  }
  const number = /^\s*$/.test(value) ? Number.NaN : Number(value);
  if (operator === "gt" || operator === "lt") {
    if (!Number.isFinite(number)) throw new InvalidInputError(`${at}.value`, `must be a number for ${operator}`);
    return { property, operator, value, number };
  }
  // equals / not_equals with a number also match a numeric property numerically.
  if ((operator === "equals" || operator === "not_equals") && Number.isFinite(number)) return { property, operator, value, number };
  return { property, operator, value };
}
