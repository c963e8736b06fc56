import { describe, expect, it } from "vitest";
import { defaultEnrichment, type EnrichmentSettings } from "../../capture/enrichment/enrichment-settings.js";
import { createEnricher } from "../../capture/enrichment/event-enricher.js";

const enricher = createEnricher();
const settings = (over: Partial<EnrichmentSettings> = {}): EnrichmentSettings => ({ ...defaultEnrichment, ...over });
const uaOnly = settings({ referrer: false, utm: false });
const ofAgent = (userAgent: string, s = uaOnly) => enricher.enrich({ userAgent }, s);

const browsers: Array<[string, string, Record<string, string>]> = [
  [
    "Chrome on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    { $browser: "Chrome", $browser_version: "124.0", $os: "Windows", $os_version: "10", $device_type: "Desktop" },
  ],
  [
    "Safari on macOS",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    { $browser: "Safari", $browser_version: "17.4", $os: "Mac OS X", $os_version: "10.15.7", $device_type: "Desktop" },
  ],
  [
    "Firefox on Linux",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    { $browser: "Firefox", $browser_version: "125.0", $os: "Linux", $device_type: "Desktop" },
  ],
  [
    "Chrome on an Android phone",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    { $browser: "Chrome", $browser_version: "124.0", $os: "Android", $os_version: "10", $device_type: "Mobile" },
  ],
  [
    "Safari on iPhone",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    { $browser: "Mobile Safari", $browser_version: "17.4", $os: "iOS", $os_version: "17.4.1", $device_type: "Mobile" },
  ],
  [
    "Safari on iPad",
    "Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    { $browser: "Mobile Safari", $browser_version: "17.4", $os: "iOS", $os_version: "17.4.1", $device_type: "Tablet" },
  ],
  [
    "Samsung Internet",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    { $browser: "Samsung Internet", $browser_version: "24.0", $os: "Android", $os_version: "14", $device_type: "Mobile" },
  ],
  [
    "Edge on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    { $browser: "Microsoft Edge", $browser_version: "124.0", $os: "Windows", $os_version: "10", $device_type: "Desktop" },
  ],
  [
    "Chrome on ChromeOS",
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    { $browser: "Chrome", $browser_version: "124.0", $os: "Chrome OS", $os_version: "14541.0.0", $device_type: "Desktop" },
  ],
  [
    "a PlayStation 5",
    "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15",
    { $browser: "Safari", $browser_version: "13.0", $os: "PlayStation", $os_version: "5", $device_type: "Console" },
  ],
  [
    "a Samsung smart TV",
    "Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36",
    { $browser: "Safari", $os: "Tizen", $os_version: "6.0", $device_type: "Smart TV" },
  ],
];

const bots: Array<[string, string]> = [
  ["Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"],
  [
    "Googlebot smartphone",
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  ],
  ["Googlebot, plain", "Googlebot/2.1 (+http://www.google.com/bot.html)"],
  ["bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"],
  ["AhrefsBot", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"],
  ["GPTBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"],
  ["HeadlessChrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.29 Safari/537.36"],
];

// What server SDKs and HTTP libraries send: isbot calls all of these bots.
const serverAgents = [
  "posthog-node/5.74.0",
  "analytics-node-next/latest",
  "node",
  "node-fetch",
  "undici",
  "grpc-node-js/1.14.7",
  "connect-es/2.1.2",
  "curl/8.5.0",
  "python-requests/2.31",
  "axios/1.7",
  "Go-http-client/1.1",
  "okhttp/4.12.0",
  "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.6",
];

describe("user agent", () => {
  it.each(browsers)("%s", (_, ua, expected) => {
    expect(ofAgent(ua)).toEqual({ properties: expected, drop: false });
  });

  it.each(bots)("flags %s as a bot", (_, ua) => {
    const { properties, drop } = ofAgent(ua);
    expect(properties.$is_bot).toBe(true);
    expect(drop).toBe(false);
  });

  it.each(bots)("drops %s when the project drops bots", (_, ua) => {
    expect(ofAgent(ua, settings({ bots: "drop" }))).toEqual({ properties: {}, drop: true });
  });

  it.each(bots)("leaves %s alone when the project keeps bots", (_, ua) => {
    const { properties, drop } = ofAgent(ua, settings({ bots: "keep" }));
    expect(properties).not.toHaveProperty("$is_bot");
    expect(drop).toBe(false);
  });

  it("still describes the browser a bot runs in", () => {
    expect(ofAgent(bots[6][1]).properties).toEqual({
      $browser: "Chrome Headless",
      $browser_version: "124.0",
      $os: "Linux",
      $device_type: "Desktop",
      $is_bot: true,
    });
  });

  it.each(serverAgents)("never treats the server agent %s as a bot", (ua) => {
    expect(ofAgent(ua, settings({ bots: "drop" })).drop).toBe(false);
    expect(ofAgent(ua, settings({ bots: "flag" })).properties).not.toHaveProperty("$is_bot");
  });

  it("adds nothing for an agent that parses to nothing", () => {
    for (const ua of ["", "   ", "hello", "\u0000\uFFFF%%%(((;;;", "x".repeat(100_000)]) {
      expect(ofAgent(ua)).toEqual({ properties: {}, drop: false });
    }
  });

  it("parses only the first 1,000 characters of a huge agent", () => {
    const chrome = browsers[0][1];
    // Edge names itself after Chrome's tokens: read whole, the agent is Edge's; cut at 1,000 characters, Chrome's.
    const edge = `${chrome} Edg/124.0.2478.51`;
    expect(ofAgent(edge).properties.$browser).toBe("Microsoft Edge");
    expect(ofAgent(`${chrome} ${"x".repeat(1_000_000)} Edg/124.0.2478.51`).properties).toEqual(browsers[0][2]);
  });

  it("adds no user-agent properties when that enrichment is off, but still finds bots", () => {
    const off = settings({ userAgent: false, referrer: false, utm: false });
    expect(ofAgent(browsers[0][1], off).properties).toEqual({});
    expect(ofAgent(bots[0][1], off).properties).toEqual({ $is_bot: true });
    expect(ofAgent(bots[0][1], { ...off, bots: "drop" }).drop).toBe(true);
  });

  it("gives the same answer for an agent seen before, in a result of its own", () => {
    const small = createEnricher({ cacheSize: 2 });
    const [a, b, c] = [browsers[0], browsers[4], bots[0]];
    const first = small.enrich({ userAgent: a[1] }, uaOnly);
    first.properties.$browser = "mutated by the caller";
    for (let round = 0; round < 3; round++) {
      for (const [, ua] of [a, b, c]) {
        expect(small.enrich({ userAgent: ua }, uaOnly)).toEqual(ofAgent(ua));
      }
    }
    expect(small.enrich({ userAgent: a[1] }, uaOnly).properties).toEqual(a[2]);
  });
});

describe("referrer", () => {
  const ref = (referrer: string | undefined, currentUrl: string | undefined = "https://shop.example/") =>
    enricher.enrich({ referrer, currentUrl }, settings()).properties;

  it("keeps the referrer and its host as the URL gives it", () => {
    expect(ref("https://www.google.com/search?q=x")).toMatchObject({ $referrer: "https://www.google.com/search?q=x", $referring_domain: "www.google.com" });
    expect(ref("http://Blog.Example.ORG:8080/post")).toMatchObject({ $referring_domain: "blog.example.org:8080" });
  });

  it("says $direct when the page has no referrer", () => {
    for (const none of ["", "$direct", undefined]) {
      expect(ref(none)).toMatchObject({ $referrer: "$direct", $referring_domain: "$direct" });
    }
  });

  it("adds nothing to an event that is not from a page", () => {
    expect(enricher.enrich({}, settings()).properties).toEqual({});
  });

  it("ignores a referrer that is not a URL", () => {
    for (const bad of ["not a url", "www.google.com", "http://", "http://[::1", "javascript:void(0)", "https://exa%00mple.com/"]) {
      const props = ref(bad);
      expect(props).not.toHaveProperty("$referrer");
      expect(props).not.toHaveProperty("$referring_domain");
    }
  });

  it("adds nothing when referrer enrichment is off", () => {
    expect(enricher.enrich({ referrer: "https://a.example/", currentUrl: "https://b.example/" }, settings({ referrer: false })).properties).toEqual({});
  });
});

describe("campaign parameters", () => {
  const utm = (currentUrl: string) => enricher.enrich({ currentUrl }, settings({ referrer: false })).properties;

  it("reads the ones present from the page URL", () => {
    expect(utm("https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring%20sale&gclid=abc&fbclid=def&other=1")).toEqual({
      utm_source: "newsletter",
      utm_medium: "email",
      utm_campaign: "spring sale",
      gclid: "abc",
      fbclid: "def",
    });
    expect(utm("https://shop.example/p?utm_term=shoes+red&utm_content=banner#top")).toEqual({ utm_term: "shoes red", utm_content: "banner" });
  });

  it("trims values, caps them at 200 characters and skips empty ones", () => {
    const props = utm(`https://shop.example/?utm_source=%20%20ads%20&utm_medium=&utm_campaign=${"c".repeat(500)}&utm_term=%20`);
    expect(props).toEqual({ utm_source: "ads", utm_campaign: "c".repeat(200) });
  });

  it("never adds text storage would refuse", () => {
    expect(utm("https://shop.example/?utm_source=%00x&utm_medium=%FF&utm_campaign=ok")).toEqual({ utm_campaign: "ok" });
    const props = utm(`https://shop.example/?utm_source=${"a".repeat(199)}${encodeURIComponent("😀")}`);
    expect(props.utm_source).toBe("a".repeat(199));
  });

  it("ignores a URL that does not parse", () => {
    for (const bad of ["?utm_source=x", "/path?utm_source=x", "not a url?utm_source=x", "http://[bad?utm_source=x", ""]) {
      expect(utm(bad)).toEqual({});
    }
  });

  it("adds nothing when UTM enrichment is off", () => {
    expect(enricher.enrich({ currentUrl: "https://a.example/?utm_source=x" }, settings({ referrer: false, utm: false })).properties).toEqual({});
  });
});

describe("client address", () => {
  const withCountry = settings({ userAgent: false, referrer: false, utm: false, country: true });
  const country = (ip: string) => enricher.enrich({ ip }, withCountry).properties.$geoip_country_code;

  it("finds the country of an IPv4 and an IPv6 address", () => {
    expect(country("8.8.8.8")).toBe("US");
    expect(country("2a00:1450:4001::1")).toBe("DE");
  });

  it("reads IPv4-mapped IPv6 as IPv4", () => {
    expect(country("::ffff:8.8.8.8")).toBe("US");
    expect(country("::FFFF:808:808")).toBe("US");
  });

  it("gives nothing for private, loopback and malformed addresses", () => {
    for (const ip of ["127.0.0.1", "10.0.0.1", "192.168.1.1", "::1", "fe80::1", "::ffff:10.0.0.1", "1.2.3", "garbage", "", "8.8.8.8.8"]) {
      expect(country(ip)).toBeUndefined();
    }
  });

  it("looks nothing up when country enrichment is off", () => {
    expect(enricher.enrich({ ip: "8.8.8.8" }, settings({ referrer: false, utm: false })).properties).toEqual({});
  });

  it("gives no country, and does not throw, when the database is missing", () => {
    const missing = createEnricher({ countryDatabasePath: "/nonexistent/country.mmdb" });
    expect(missing.enrich({ ip: "8.8.8.8" }, withCountry)).toEqual({ properties: {}, drop: false });
  });

  it("does not keep the address unless the project asks", () => {
    expect(enricher.enrich({ ip: "8.8.8.8" }, settings())).toEqual({ properties: {}, drop: false });
    expect(defaultEnrichment.storeIp).toBe(false);
    const keep = settings({ storeIp: true });
    expect(enricher.enrich({ ip: "8.8.8.8" }, keep).properties).toEqual({ $ip: "8.8.8.8" });
    expect(enricher.enrich({ ip: "::ffff:1.2.3.4" }, keep).properties).toEqual({ $ip: "1.2.3.4" });
    expect(enricher.enrich({ ip: "not an ip" }, keep).properties).toEqual({});
  });
});

describe("a whole event", () => {
  it("combines everything the project enables", () => {
    const result = enricher.enrich(
      {
        userAgent: browsers[4][1],
        ip: "::ffff:8.8.8.8",
        currentUrl: "https://shop.example/landing?utm_source=google&utm_medium=cpc",
        referrer: "https://www.google.com/",
      },
      settings({ country: true, storeIp: true }),
    );
    expect(result).toEqual({
      properties: {
        ...browsers[4][2],
        $referrer: "https://www.google.com/",
        $referring_domain: "www.google.com",
        utm_source: "google",
        utm_medium: "cpc",
        $geoip_country_code: "US",
        $ip: "8.8.8.8",
      },
      drop: false,
    });
  });

  it("never throws, whatever it is given", () => {
    const all = settings({ country: true, storeIp: true });
    const junk: unknown[] = [undefined, null, 42, {}, [], "", "\u0000", "\uD800", "x".repeat(2_000_000), "%", "http://", "::ffff:"];
    for (const v of junk) {
      const input = { userAgent: v, ip: v, currentUrl: v, referrer: v } as never;
      expect(() => enricher.enrich(input, all)).not.toThrow();
    }
  });
});
