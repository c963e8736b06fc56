/** Which server-side properties capture adds to an event; one set per project. */
export interface EnrichmentSettings {
  userAgent: boolean; // browser, OS, device type from the user agent
  referrer: boolean; // $referrer / $referring_domain
  utm: boolean; // utm_* from the page URL
  country: boolean; // $geoip_country_code from the client IP (DB-IP country database)
  bots: "flag" | "drop" | "keep"; // known bots: flagged with $is_bot, dropped, or left alone
  storeIp: boolean; // keep the client IP as $ip (off by default: privacy)
}

// Country is off by default: it loads an 8 MB database into every capture process.
export const defaultEnrichment: EnrichmentSettings = { userAgent: true, referrer: true, utm: true, country: false, bots: "flag", storeIp: false };
