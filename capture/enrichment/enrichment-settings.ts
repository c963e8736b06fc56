import type { EnrichmentChoices } from "../../core/access/project-model.js";

/** Which server-side properties capture adds to an event: a project's choices, each filled in. */
export type EnrichmentSettings = Required<EnrichmentChoices>;

// Country is off by default: it loads an 8 MB database into every capture process.
export const defaultEnrichment: EnrichmentSettings = { userAgent: true, referrer: true, utm: true, country: false, bots: "flag", storeIp: false };
