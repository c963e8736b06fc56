import type { Transport } from "./platform.js";
import { batchBody } from "./queue-item.js";
import { resultOfHttp } from "./send-result.js";

export interface FetchTransportOptions {
  host: string;
  /** The write key, sent as `Authorization: Bearer` (Node), or in the URL where headers would cost a preflight (browsers). */
  apiKey?: string;
  keyInUrl?: boolean;
  /** "text/plain" keeps browser requests CORS-simple (no preflight); the server reads any type as JSON. */
  contentType: string;
  headers?: Record<string, string>;
  /** Lets the browser finish the request after the page is gone (bodies under 64 KB only). */
  keepalive?: boolean;
  now(): number;
  fetch?: typeof fetch;
}

const keepaliveLimit = 64 * 1024 - 512;

/** The batch route, with the write key as `?api_key=` when given (write keys are public; sendBeacon cannot set headers). */
export function batchUrl(host: string, apiKey?: string): string {
  return `${host}/api/v1/batch${apiKey ? `?api_key=${encodeURIComponent(apiKey)}` : ""}`;
}

/** POST /api/v1/batch with the proto's JSON mapping (CaptureEventsRequest). */
export function createFetchTransport(opts: FetchTransportOptions): Transport {
  const url = batchUrl(opts.host, opts.keyInUrl ? opts.apiKey : undefined);
  const headers: Record<string, string> = { ...opts.headers, "content-type": opts.contentType };
  if (opts.apiKey && !opts.keyInUrl) headers.authorization = `Bearer ${opts.apiKey}`;
  return {
    async send(batch, sentAt, signal) {
      const body = batchBody(batch, sentAt);
      const size = batch.reduce((n, i) => n + i.bytes + 1, 64);
      try {
        const res = await (opts.fetch ?? fetch)(url, {
          method: "POST",
          headers,
          body,
          signal,
          keepalive: !!opts.keepalive && size < keepaliveLimit,
        });
        const text = await res.text().catch(() => "");
        return resultOfHttp(res.status, res.headers.get("retry-after"), text, opts.now());
      } catch (e) {
        return { kind: "retry", message: `network error: ${(e as Error)?.message ?? e}` };
      }
    },
  };
}
