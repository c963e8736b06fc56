import { isbot } from "isbot";
import { UAParser } from "ua-parser-js";
import { textProblem } from "../text-check.js";

/** What a user agent says about the client: PostHog-named properties, and whether it is a bot. */
export interface UserAgentDetails {
  properties: Readonly<Record<string, string>>;
  bot: boolean;
}

// Longer agents are hostile or broken; ua-parser's regexes cost grows with the length.
export const maxUserAgentLength = 1000;

// ua-parser names the device type only for non-desktops; PostHog's names where it has them.
const deviceTypes: Record<string, string> = {
  mobile: "Mobile",
  tablet: "Tablet",
  console: "Console",
  smarttv: "Smart TV",
  wearable: "Wearable",
  embedded: "Embedded",
};

// An agent with a recognised browser on one of these (and no device type) is a desktop.
// Lower-case, as ua-parser keeps the case the agent wrote a Linux distribution in.
const desktopSystems = new Set([
  "windows",
  "mac os",
  "linux",
  "chromium os",
  "ubuntu",
  "kubuntu",
  "xubuntu",
  "lubuntu",
  "debian",
  "fedora",
  "suse",
  "opensuse",
  "arch",
  "gentoo",
  "centos",
  "red hat",
  "manjaro",
  "mint",
  "freebsd",
  "openbsd",
  "netbsd",
  "solaris",
]);

// Where ua-parser's name differs from the one posthog-js sends for the same client,
// PostHog's, so that server-enriched and browser-sent events group together.
const browserNames: Record<string, string> = { Edge: "Microsoft Edge", IE: "Internet Explorer" };
const osNames: Record<string, string> = { "Mac OS": "Mac OS X", "Chromium OS": "Chrome OS" };

// isbot calls every agent that is not a browser a bot: its list is made for
// traffic to web pages, where "curl/8.5.0" or "python-requests" is indeed one.
// Here those are how server SDKs send events (posthog-node, analytics-node,
// grpc-node-js, undici, a cron job's curl), so an agent only counts as a bot
// when isbot says so AND it either claims to be a browser ("Mozilla/…", as
// every browser, headless browser and page-rendering crawler does) or names
// itself a bot, crawler or spider ("Googlebot/2.1 (+http://…)", "bingbot/2.0").
// An allow-list of bot shapes rather than a deny-list of HTTP libraries: the
// libraries are countless, and a missed one would get a customer's whole
// server-side capture flagged or dropped; a missed bot only goes unflagged.
const browserShaped = /^(?:Mozilla|Opera)\//;
const namesItselfABot = /(?:bot|crawler|spider)\b/i; // "\b": "Boto3"/"Botocore" (AWS SDK) are not bots

function isBrowserOrCrawlerBot(ua: string): boolean {
  return isbot(ua) && (browserShaped.test(ua) || namesItselfABot.test(ua));
}

/** "124.0.6367.88" → "124.0": the minor version is all a breakdown needs. */
function majorMinor(version: string | undefined): string | undefined {
  if (version === undefined || !/^\d/.test(version)) return undefined;
  const [major, minor] = version.split(".");
  return minor === undefined ? major : `${major}.${minor}`;
}

function deviceType(type: string | undefined, browser: string | undefined, os: string | undefined, ua: string): string | undefined {
  if (type !== undefined) return deviceTypes[type];
  if (os === undefined) return undefined;
  // ua-parser leaves Android devices it has no model for untyped; Android's own
  // convention (PostHog's rule too) is that phones say "Mobile" and tablets do not.
  if (os === "Android") return /\bMobile\b/.test(ua) ? "Mobile" : "Tablet";
  if (browser !== undefined && desktopSystems.has(os.toLowerCase())) return "Desktop";
  return undefined;
}

/** One parser per caller: setUA reuses it, and a parse is synchronous, so it is never shared mid-use. */
export function createUserAgentParser(): (userAgent: string) => UserAgentDetails {
  const parser = new UAParser();
  return (userAgent) => {
    const ua = userAgent.slice(0, maxUserAgentLength);
    const { browser, os, device } = parser.setUA(ua).getResult();
    const found: Record<string, string | undefined> = {
      $browser: browser.name === undefined ? undefined : (browserNames[browser.name] ?? browser.name),
      $browser_version: majorMinor(browser.version),
      $os: os.name === undefined ? undefined : (osNames[os.name] ?? os.name),
      $os_version: os.version,
      $device_type: deviceType(device.type, browser.name, os.name, ua),
    };
    const properties: Record<string, string> = {};
    for (const [key, value] of Object.entries(found)) {
      // The values are pieces of the agent, which may hold NUL or U+FFFD: never add what storage would refuse.
      if (value !== undefined && value !== "" && textProblem(value) === undefined) properties[key] = value;
    }
    return { properties: Object.freeze(properties), bot: isBrowserOrCrawlerBot(ua) };
  };
}
