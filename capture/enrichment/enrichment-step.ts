import type { EventInput, ValidatedEvent } from "../../core/events/event-model.js";
import type { EnrichmentSettings } from "./enrichment-settings.js";
import type { Enricher } from "./event-enricher.js";

/** What the request says about the client, and the project's choices: the enrichment part of a capture target. */
export interface EnrichmentContext {
  settings: EnrichmentSettings;
  /** The request's User-Agent (an event's own $raw_user_agent wins). */
  userAgent?: string;
  /** The client address, as TRUST_PROXY lets the server see it. */
  ip?: string;
}

const text = (v: unknown) => (typeof v === "string" ? v : undefined);

/**
 * The event with what enrichment adds spliced into its properties JSON,
 * leaving every property the client sent as it is; undefined when the
 * project drops bots and this is one. Page facts come from the event's own
 * properties ($current_url, $referrer: what browser SDKs send); binary
 * requests' Struct bytes are not searched for them (server SDKs send none).
 */
export function enrichEvent(enricher: Enricher, event: ValidatedEvent, input: EventInput, c: EnrichmentContext): ValidatedEvent | undefined {
  const props = input.properties instanceof Uint8Array ? undefined : input.properties;
  const userAgent = text(props?.$raw_user_agent) ?? c.userAgent;
  const currentUrl = text(props?.$current_url);
  const referrer = text(props?.$referrer);
  // posthog-node marks server-side events so: the server's address is not the user's country.
  const settings = props?.$geoip_disable === true && c.settings.country ? { ...c.settings, country: false } : c.settings;
  if (userAgent === undefined && currentUrl === undefined && referrer === undefined && !settings.country && !settings.storeIp) return event;
  const found = enricher.enrich({ userAgent, ip: c.ip, currentUrl, referrer }, settings);
  if (found.drop) return undefined;
  // What only the server knows is the server's to say: a client's own $ip, country or bot flag is replaced.
  const ruled = Object.keys(found.properties).filter((k) => serverFacts.has(k) && event.propertiesJson.includes(`${JSON.stringify(k)}:`));
  if (ruled.length > 0) return { ...event, propertiesJson: JSON.stringify({ ...JSON.parse(event.propertiesJson.toString()), ...found.properties }) };
  const fragment = jsonMembersNotIn(event.propertiesJson, found.properties);
  if (fragment === "") return event;
  return { ...event, propertiesJson: spliced(event.propertiesJson, fragment) };
}

/** Properties the server decides, whatever a client sent (they come from the request, not the page). */
const serverFacts = new Set(["$ip", "$geoip_country_code", "$is_bot"]);

/** `"k":v,…` for each key the JSON object text does not have yet (the engine writes objects without spaces). */
function jsonMembersNotIn(json: string | Buffer, add: Record<string, string | boolean>): string {
  let out = "";
  for (const [key, value] of Object.entries(add)) {
    const member = `${JSON.stringify(key)}:`;
    if (json.includes(member)) continue; // the client's own value stays (a nested key of that name also keeps ours out: harmless)
    out += `${out ? "," : ""}${member}${JSON.stringify(value)}`;
  }
  return out;
}

function spliced(json: string | Buffer, members: string): string | Buffer {
  const s = typeof json === "string" ? json : json.toString("utf8");
  const body = s.slice(0, s.lastIndexOf("}")).trimEnd();
  return `${body}${body === "{" ? "" : ","}${members}}`;
}
