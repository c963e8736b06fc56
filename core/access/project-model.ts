/** The project every event belongs to when nothing names another: keyless capture, and data from before projects. */
export const defaultProjectId = "default";

/** Project ids are short slugs: safe in URLs, logs and SQL identifiers' neighbourhood, never needing escapes. */
export const projectIdPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface Project {
  id: string;
  name: string;
  /** Browser origins allowed to send this project's events; empty: the server-wide CORS_ORIGINS. */
  origins: readonly string[];
  /** Events older than this many days are deleted; 0 keeps them forever. */
  retentionDays: number;
  createdAtMs: number;
  settings: ProjectSettings;
}

/** What a project sets for itself; anything left out takes the server's default. */
export interface ProjectSettings {
  /**
   * Event names the project accepts ("*": any). Absent: the server's ALLOWED_EVENTS on the native API, and any
   * name on the PostHog and Segment endpoints (their SDKs send $pageview, $autocapture, "Signed Up"…).
   */
  allowedEvents?: string[];
  enrichment?: EnrichmentChoices;
}

/** Which enrichments capture applies to this project's events (capture/enrichment has the defaults). */
export interface EnrichmentChoices {
  userAgent?: boolean; // browser, OS, device type from the user agent
  referrer?: boolean; // $referrer / $referring_domain
  utm?: boolean; // utm_* from the page URL
  country?: boolean; // $geoip_country_code from the client IP (DB-IP country database)
  bots?: "flag" | "drop" | "keep"; // known bots: flagged with $is_bot, dropped, or left alone
  storeIp?: boolean; // keep the client IP as $ip (off by default: privacy)
}

/** What a key lets its holder do: write (capture, public), read (analytics, secret), admin (projects and keys, secret). */
export type KeyKind = "write" | "read" | "admin";

/** Who a request acts for, once its key was checked: the domain sees this, never the key. */
export interface Principal {
  /** The project the request acts on; admin keys are not tied to one (""). */
  projectId: string;
  kind: KeyKind;
  /** The key's id ("" when the request had none and policy let it in): per-key rate limits count on it. */
  keyId: string;
}
