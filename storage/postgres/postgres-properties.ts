import type { PropertyFilter } from "../../analytics/insights/insight-query.js";

/**
 * Event-property expressions over the `properties` jsonb column, reading the
 * same values the ClickHouse ones do. Every key and value becomes a $n
 * parameter appended to `params`; nothing from a request is pasted into SQL.
 */
export function createPostgresProperties(params: unknown[], column = "properties") {
  const param = (value: unknown, type: "text" | "float8" | "int") => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  /** A string value as it is, a number or boolean as its JSON text; "" when missing or null. */
  /** A string value as it is, a number or boolean as its JSON text; "" when missing, null (->> gives NULL), an object or an array. */
  const text = (key: string) => {
    const k = param(key, "text");
    return `(CASE WHEN jsonb_typeof(${column} -> ${k}) IN ('object', 'array') THEN '' ELSE coalesce(${column} ->> ${k}, '') END)`;
  };
  /** The value when it is a JSON number, else NULL. */
  const number = (key: string) => {
    const k = param(key, "text");
    return `(CASE WHEN jsonb_typeof(${column} -> ${k}) = 'number' THEN (${column} ->> ${k})::float8 END)`;
  };
  const isSet = (key: string) => `coalesce(jsonb_typeof(${column} -> ${param(key, "text")}) <> 'null', false)`;

  /** Text equal, or (a number asked for) numerically equal: jsonb writes 1e-7 as 0.0000001. */
  const equals = (f: PropertyFilter) =>
    f.number === undefined
      ? `(${text(f.property)} = ${param(f.value, "text")})`
      : `(${text(f.property)} = ${param(f.value, "text")} OR coalesce(${number(f.property)} = ${param(f.number, "float8")}, false))`;

  function condition(f: PropertyFilter): string {
    switch (f.operator) {
      case "equals":
        return equals(f);
      case "not_equals":
        return `NOT ${equals(f)}`;
      case "contains":
        return `strpos(lower(${text(f.property)}), lower(${param(f.value, "text")})) > 0`;
      case "is_set":
        return isSet(f.property);
      case "is_not_set":
        return `NOT ${isSet(f.property)}`;
      case "gt":
        return `${number(f.property)} > ${param(f.number, "float8")}`;
      case "lt":
        return `${number(f.property)} < ${param(f.number, "float8")}`;
    }
  }

  return {
    param,
    text,
    number,
    /** Every filter's condition, ANDed, with a leading AND ("" for none). */
    where: (filters: PropertyFilter[]) => filters.map((f) => ` AND ${condition(f)}`).join(""),
  };
}
