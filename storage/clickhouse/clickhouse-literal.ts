/**
 * The one place values become ClickHouse SQL text. ClickHouse 18.16 has no
 * query parameters, so every value is rendered as a typed literal here and
 * nowhere else: strings quoted with every special character escaped, numbers
 * only when they are finite integers.
 */
export function chString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === "'" || ch === "\\") out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}'`;
}

export function chInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value);
}

/** A DateTime literal from epoch milliseconds (whole seconds, UTC). */
export function chDateTime(ms: number): string {
  return `toDateTime(${chInt(Math.floor(ms / 1000))})`;
}

/** A Float64 literal from a finite number. */
export function chFloat(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return `toFloat64(${JSON.stringify(value)})`;
}

/** A database, table or cluster name: from configuration, not users, but still checked and quoted. */
export function chIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid ClickHouse identifier: ${name}`);
  return `\`${name}\``;
}
