import { batchUrl, createFetchTransport } from "../core/fetch-transport.js";
import type { Transport } from "../core/platform.js";
import { batchBody } from "../core/queue-item.js";

/**
 * fetch on the proto's JSON mapping, as text/plain: a CORS "simple" request,
 * so no preflight (which would die with the page), and the server reads any
 * content type as JSON. On exit, sendBeacon (or fetch keepalive), each body
 * under 64 KB, the browsers' limit for requests that outlive the page. The
 * write key rides in the URL: a header would cost a preflight, and
 * sendBeacon cannot set one.
 */
export function createBrowserTransport(host: string, apiKey: string | undefined, now: () => number): Transport {
  const url = batchUrl(host, apiKey);
  const transport = createFetchTransport({ host, apiKey, keyInUrl: true, contentType: "text/plain", keepalive: true, now });
  return {
    ...transport,
    exitMaxBytes: 60_000,
    sendOnExit(batch, sentAt) {
      const body = batchBody(batch, sentAt);
      try {
        if (typeof navigator.sendBeacon === "function") {
          return navigator.sendBeacon(url, new Blob([body], { type: "text/plain" }));
        }
        void fetch(url, { method: "POST", body, keepalive: true, headers: { "content-type": "text/plain" } }).catch(() => undefined);
        return true;
      } catch {
        return false;
      }
    },
  };
}
