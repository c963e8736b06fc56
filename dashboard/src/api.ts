import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";

export type Api = Client<typeof AnalyticsService>;

/** How long an answer is shared with an identical question asked meanwhile (the events KPI and the main chart). */
const sharedForMs = 5000;

/** The public API over Connect (JSON, fetch; streaming for the live tail), the read key in a header, never in a URL. */
export function createApi(key: string): Api {
  const withKey: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${key}`);
    return next(req);
  };
  const client = createClient(AnalyticsService, createConnectTransport({ baseUrl: location.origin, interceptors: [withKey] }));
  const asked = new Map<string, { at: number; answer: ReturnType<Api["queryTrends"]> }>();
  return {
    ...client,
    // Two tiles asking the same trends question get one call.
    queryTrends(req, options) {
      if (options) return client.queryTrends(req, options); // a call with its own signal or timeout is its own
      const key = JSON.stringify(req);
      const now = Date.now();
      for (const [k, v] of asked) if (now - v.at > sharedForMs) asked.delete(k);
      const known = asked.get(key);
      if (known) return known.answer;
      const answer = client.queryTrends(req);
      asked.set(key, { at: now, answer });
      answer.catch(() => {
        if (asked.get(key)?.answer === answer) asked.delete(key);
      });
      return answer;
    },
  };
}

/** A readable reason from a failed call: Connect's message without its "[code]" prefix. */
export function reasonOf(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^\[[a-z_]+\]\s*/, "");
}
