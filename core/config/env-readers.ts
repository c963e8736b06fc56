import { ConfigError } from "../errors/config-error.js";

/** Typed readers over an environment; each throws ConfigError naming the variable. */
export function parseEnv(env: NodeJS.ProcessEnv) {
  const raw = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  return {
    string(name: string, fallback: string): string {
      return raw(name) ?? fallback;
    },
    optionalString(name: string): string | undefined {
      return raw(name);
    },
    int(name: string, fallback: number, min: number, max: number): number {
      return this.optionalInt(name, min, max) ?? fallback;
    },
    optionalInt(name: string, min: number, max: number): number | undefined {
      const v = raw(name);
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v)) throw new ConfigError(name, `expected a whole number, got "${v}"`);
      const n = Number(v);
      if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
      return n;
    },
    oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
      return this.optionalOneOf(name, allowed) ?? fallback;
    },
    optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
      const v = raw(name)?.toLowerCase();
      if (v === undefined) return undefined;
      if (!(allowed as readonly string[]).includes(v)) {
        throw new ConfigError(name, `must be one of ${allowed.join(", ")}, got "${v}"`);
      }
      return v as T;
    },
    bool(name: string, fallback: boolean): boolean {
      const v = raw(name)?.toLowerCase();
      if (v === undefined) return fallback;
      if (["true", "1", "yes", "on"].includes(v)) return true;
      if (["false", "0", "no", "off"].includes(v)) return false;
      throw new ConfigError(name, `expected true or false, got "${v}"`);
    },
    identifier(name: string, fallback: string): string {
      const v = raw(name) ?? fallback;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new ConfigError(name, `must be a plain identifier (letters, digits, _), got "${v}"`);
      return v;
    },
    list(name: string, fallback: string[]): string[] {
      const v = raw(name);
      if (v === undefined) return fallback;
      const items = v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (items.length === 0) throw new ConfigError(name, "must list at least one value");
      return items;
    },
    url(name: string, protocols: string[]): string | undefined {
      const v = raw(name);
      return v === undefined ? undefined : checkedUrl(name, v, protocols);
    },
    /** A comma-separated list of URLs, each checked as `url` does. */
    urlList(name: string, protocols: string[]): string[] | undefined {
      return raw(name) === undefined ? undefined : this.list(name, []).map((v) => checkedUrl(name, v, protocols));
    },
  };
}

function checkedUrl(name: string, v: string, protocols: string[]): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(name, "is not a valid URL"); // not echoed: it may hold a password
  }
  if (!protocols.includes(u.protocol)) throw new ConfigError(name, `must start with ${protocols.join(" or ")}`);
  return v;
}

export type EnvReaders = ReturnType<typeof parseEnv>;
