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
  // ->> gives a JSON null as NULL, like a missing key.
  const text = (key: string) => `coalesce(${column} ->> ${param(key, "text")}, '')`;
  /** The value when it is a JSON number, else NULL. */
  const number = (key: string) => {
    const k = param(key, "text");
    return `(CASE WHEN jsonb_typeof(${column} -> ${k}) = 'number' THEN (${column} ->> ${k})::float8 END)`;
  };
  const isSet = (key: string) => `coalesce(jsonb_typeof(${column} -> ${param(key, "text")}) <> 'null', false)`;

  function condition(f: PropertyFilter): string {
    switch (f.operator) {
      case "equals":
        return `${text(f.property)} = ${param(f.value, "text")}`;
      case "not_equals":
        return `${text(f.property)} <> ${param(f.value, "text")}`;
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
