import autocannon from "autocannon";
import { benchKeyHeaders } from "../shared/bench-keys.js";
import type { LoadResult } from "../shared/measure.js";

/** POSTs the same JSON body over `connections` keep-alive HTTP/1.1 connections for `seconds`, with the bench's write key unless told `keyless`. */
export async function restLoad(
  url: string,
  o: { body: string | Buffer; connections: number; seconds: number; eventsPerRequest?: number; keyless?: boolean; headers?: Record<string, string> },
): Promise<LoadResult> {
  const r = await autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json", ...(o.keyless ? {} : benchKeyHeaders), ...o.headers },
    body: o.body,
    connections: o.connections,
    duration: o.seconds,
    timeout: 10,
  });
  const errors = r.errors + r.non2xx;
  return {
    units: r["2xx"] * (o.eventsPerRequest ?? 1),
    seconds: r.duration,
    errors,
    p99Ms: r.latency.p99,
    firstError: errors > 0 ? `${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts)` : undefined,
  };
}
