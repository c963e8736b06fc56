import type { EnrichmentContext } from "./enrichment/enrichment-step.js";

/** Which event names a project takes at one door: a set of names, or any. */
export interface EventNameRule {
  accepts(name: string): boolean;
  /** The names, and how to change them, for the refusal's message. */
  readonly description: string;
}

/** Where validated events go and by which rules: built per request by the transport from the checked caller. */
export interface CaptureTarget {
  projectId: string;
  eventNames: EventNameRule;
  /** Enrichment for this request's events (absent: none). */
  enrichment?: EnrichmentContext;
}

export const anyEventName: EventNameRule = { accepts: () => true, description: "any" };

/** A rule from a list of names ("*" in it: any name); `changeHint` says where the list is set. */
export function eventNameRule(names: readonly string[], changeHint: string): EventNameRule {
  if (names.includes("*")) return anyEventName;
  const allowed = new Set(names);
  // The refusal names a few (a batch of refused events repeats it for each).
  const shown = names.length > 10 ? `${names.slice(0, 10).join(" | ")} and ${names.length - 10} more` : names.join(" | ");
  return { accepts: (name) => allowed.has(name), description: `${shown} - ${changeHint}` };
}
