import type { PropertyFilter } from "../../analytics/insights/insight-query.js";
import { chFloat, chString } from "./clickhouse-literal.js";

/**
 * Event-property expressions over the `properties` JSON text. JSONExtract*
 * (19.x+) reads top-level keys exactly; 18.16 has only visitParam*, which
 * takes the first key of that name at any depth (a nested key of the same
 * name can be read instead: the README says so).
 */
export function createClickHouseProperties(version: string) {
  const exact = Number(version.split(".")[0]) >= 20;
  const fn = (name: "String" | "Raw" | "Has") => (exact ? `JSONExtract${name}` : `visitParam${name === "Has" ? "Has" : `Extract${name}`}`);
  const raw = (key: string) => `${fn("Raw")}(properties, ${chString(key)})`;
  /** A string value as it is, a number or boolean as its JSON text; "" when missing, null, an object or an array. */
  const text = (key: string) =>
    `multiIf(${raw(key)} IN ('', 'null'), '', substring(${raw(key)}, 1, 1) = '"', ${fn("String")}(properties, ${chString(key)}), substring(${raw(key)}, 1, 1) IN ('{', '['), '', ${raw(key)})`;
  /** The value when it is a JSON number, else NULL. */
  const number = (key: string) => `toFloat64OrNull(${raw(key)})`;
  const isSet = (key: string) =>
    `(${exact ? `JSONHas(properties, ${chString(key)})` : `visitParamHas(properties, ${chString(key)})`} AND ${raw(key)} != 'null')`;

  /** Text equal, or (a number asked for) numerically equal: 1e-7 and 0.0000001 are one number, whatever text a database keeps. */
  const equals = (f: PropertyFilter) =>
    f.number === undefined
      ? `(${text(f.property)} = ${chString(f.value)})`
      : `(${text(f.property)} = ${chString(f.value)} OR ifNull(${number(f.property)} = ${chFloat(f.number)}, 0))`;

  function condition(f: PropertyFilter): string {
    switch (f.operator) {
      case "equals":
        return equals(f);
      case "not_equals":
        return `NOT ${equals(f)}`;
      case "contains":
        return `positionCaseInsensitiveUTF8(${text(f.property)}, ${chString(f.value)}) > 0`;
      case "is_set":
        return isSet(f.property);
      case "is_not_set":
        return `NOT ${isSet(f.property)}`;
      case "gt":
        return `${number(f.property)} > ${chFloat(f.number!)}`;
      case "lt":
        return `${number(f.property)} < ${chFloat(f.number!)}`;
    }
  }

  return {
    /** A string property's value; "" when missing or not a string (the original routes' reading). */
    string: (key: string) => `${fn("String")}(properties, ${chString(key)})`,
    text,
    number,
    /** Every filter's condition, ANDed, with a leading AND ("" for none). */
    where: (filters: PropertyFilter[]) => filters.map((f) => ` AND ${condition(f)}`).join(""),
  };
}

export type ClickHouseProperties = ReturnType<typeof createClickHouseProperties>;
