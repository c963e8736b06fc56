import { type EnrichmentChoices, projectIdPattern } from "../core/access/project-model.js";
import { InvalidInputError } from "../core/errors/domain-errors.js";
import { longestName } from "../core/events/event-model.js";

const longestProjectName = 200;
const mostOrigins = 100;

export function projectId(value: string, field = "projectId"): string {
  if (!projectIdPattern.test(value)) throw new InvalidInputError(field, "must be 1 to 63 characters of a-z, 0-9, - and _ (starting with a letter or digit)");
  return value;
}

export function projectName(value: string): string {
  const name = value.trim();
  if (name === "" || name.length > longestProjectName) throw new InvalidInputError("name", `must be 1 to ${longestProjectName} characters`);
  return name;
}

/** A slug for a project named `name`: lower case, runs of anything else as "-". */
export function slugOf(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
  return slug === "" ? "project" : slug;
}

/** Browser origins as a page sends them (scheme://host[:port], nothing else), or "*" for any. */
export function origins(values: readonly string[]): string[] {
  if (values.length > mostOrigins) throw new InvalidInputError("origins", `may list at most ${mostOrigins} origins`);
  return values.map((v, i) => {
    if (v === "*") return v;
    let url: URL | undefined;
    try {
      url = new URL(v);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== v || !/^https?:$/.test(url.protocol)) {
      throw new InvalidInputError(`origins[${i}]`, "must be an origin as browsers send it (scheme, host and port only, no trailing slash) or *");
    }
    return v;
  });
}

export function retentionDays(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 36_500)
    throw new InvalidInputError("retentionDays", "must be a whole number of days from 0 (keep forever) to 36500");
  return value;
}

/** Allowed event names: each a name as capture takes it (1 to longestName characters), or "*" for any. */
export function allowedEvents(values: readonly string[]): string[] {
  if (values.length === 0 || values.length > 1000) throw new InvalidInputError("allowedEvents", "must list 1 to 1000 event names (or *)");
  values.forEach((v, i) => {
    if (v.trim() === "" || v.length > longestName) throw new InvalidInputError(`allowedEvents[${i}]`, `must be 1 to ${longestName} characters`);
  });
  return [...new Set(values)];
}

const switches = ["userAgent", "referrer", "utm", "country", "storeIp"] as const;

/** Enrichment choices: the switches as booleans, bots as flag, drop or keep; anything else is refused by name. */
export function enrichment(value: Record<string, unknown>): EnrichmentChoices {
  const out: EnrichmentChoices = {};
  for (const [key, v] of Object.entries(value)) {
    if ((switches as readonly string[]).includes(key)) {
      if (typeof v !== "boolean") throw new InvalidInputError(`enrichment.${key}`, "must be true or false");
      out[key as (typeof switches)[number]] = v;
    } else if (key === "bots") {
      if (v !== "flag" && v !== "drop" && v !== "keep") throw new InvalidInputError("enrichment.bots", "must be flag, drop or keep");
      out.bots = v;
    } else {
      throw new InvalidInputError(`enrichment.${key}`, `is not an enrichment (${[...switches, "bots"].join(", ")})`);
    }
  }
  return out;
}
