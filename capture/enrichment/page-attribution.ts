import { textProblem } from "../text-check.js";

// posthog-js's word for "no referrer", in both $referrer and $referring_domain.
const direct = "$direct";

// The campaign parameters PostHog reads from the page URL; added only when present.
export const campaignParams = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid"] as const;
const maxCampaignValueLength = 200;
/** A DNS name is at most 253 characters (a port may follow); a referrer longer than a browser keeps is not one. */
const longestHost = 260;
const longestReferrer = 2048;

function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/** The first `max` UTF-16 units of `s`, never ending on half a surrogate pair (an emoji cut in two). */
function capLength(s: string, max: number): string {
  const code = s.charCodeAt(max - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return s.slice(0, end).trimEnd();
}

/**
 * $referrer and $referring_domain as posthog-js sets them: the referrer as
 * given and its host as the URL parser leaves it ("www.google.com", port
 * included), or "$direct" for both when the page had none. An event with
 * neither a referrer nor a page URL is not from a page (a server-side event),
 * and gets nothing rather than a claim that it came direct. A referrer that is
 * not a URL with a host is ignored.
 */
export function addReferrer(out: Record<string, string | boolean>, referrer: string | undefined, currentUrl: string | undefined): void {
  const given = typeof referrer === "string" ? referrer.trim() : "";
  if (given === "" || given === direct) {
    if (typeof referrer === "string" || typeof currentUrl === "string") {
      out.$referrer = direct;
      out.$referring_domain = direct;
    }
    return;
  }
  const host = parseUrl(given)?.host;
  // Bounded, as everything enrichment adds: an event may not grow much past the size capture checked.
  if (!host || host.length > longestHost || given.length > longestReferrer || textProblem(given) !== undefined) return;
  out.$referrer = given;
  out.$referring_domain = host;
}

/** The campaign parameters of the page URL's query, trimmed and capped; nothing for a URL that does not parse. */
export function addCampaign(out: Record<string, string | boolean>, currentUrl: string | undefined): void {
  if (typeof currentUrl !== "string" || !currentUrl.includes("?")) return;
  const query = parseUrl(currentUrl)?.searchParams;
  if (query === undefined) return;
  for (const name of campaignParams) {
    let value = query.get(name)?.trim();
    if (!value) continue;
    if (value.length > maxCampaignValueLength) value = capLength(value, maxCampaignValueLength);
    // Percent-decoding can make NUL ("%00") or U+FFFD ("%FF"): storage would refuse those.
    if (value !== "" && textProblem(value) === undefined) out[name] = value;
  }
}
