import type { DemoEvent } from "./session-events.js";

/** A failure the user must act on; the message says what to do. */
export class DemoAbort extends Error {
  override name = "DemoAbort";
}

export interface CaptureLoadOptions {
  /** Server base URL, e.g. http://localhost:7002. */
  url: string;
  /** The project's write key. */
  key?: string;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Give up after the server has been unreachable (or 5xx) this long. */
  outageTimeoutMs?: number;
  onProgress?: (accepted: number) => void;
}

export interface CaptureLoadResult {
  sent: number;
  /** Requests sent again after a 503 or a network error. */
  retries: number;
}

/**
 * Sends the chunks to POST /api/v1/batch, `concurrency` at a time. Waits as
 * told by Retry-After on 503 and retries network errors (events carry their
 * uuid, so a repeated batch is stored once); stops with a DemoAbort on
 * anything the user has to fix (a 4xx or a refused event).
 */
export async function loadViaCapture(chunks: Iterable<DemoEvent[]>, opts: CaptureLoadOptions): Promise<CaptureLoadResult> {
  const base = opts.url.replace(/\/+$/, "");
  const it = chunks[Symbol.iterator]();
  const result: CaptureLoadResult = { sent: 0, retries: 0 };
  let failed = false;
  const worker = async () => {
    while (!failed) {
      const next = it.next();
      if (next.done) return;
      try {
        const accepted = await postBatch(base, opts.key, next.value, opts.outageTimeoutMs ?? 120_000, () => result.retries++);
        result.sent += accepted;
        opts.onProgress?.(accepted);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return result;
}

async function postBatch(base: string, key: string | undefined, events: DemoEvent[], outageTimeoutMs: number, onRetry: () => void): Promise<number> {
  const headers: Record<string, string> = { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) };
  const body = JSON.stringify({
    events: events.map((e) => ({
      event: e.event,
      distinctId: e.distinctId,
      properties: e.properties,
      timestamp: new Date(e.timestampMs).toISOString(),
      uuid: e.uuid,
    })),
  });
  const since = Date.now();
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/batch`, { method: "POST", headers, body, signal: AbortSignal.timeout(60_000) });
    } catch (e) {
      if (Date.now() - since > outageTimeoutMs)
        throw new DemoAbort(`cannot reach the server at ${base} (${causeOf(e)}); is it running? Start it with \`npm start\` or pass --url`);
      onRetry();
      await sleep(backoffMs(attempt));
      continue;
    }
    const text = await res.text();
    if (res.ok) return acceptedCount(text, events);
    if (res.status === 503 || res.status === 429 || res.status >= 500) {
      if (Date.now() - since > outageTimeoutMs)
        throw new DemoAbort(`the server at ${base} kept answering ${res.status} for ${Math.round(outageTimeoutMs / 1000)} s: ${messageOf(text)}`);
      onRetry();
      const retryAfter = Number(res.headers.get("retry-after"));
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoffMs(attempt));
      continue;
    }
    throw new DemoAbort(`the server refused a batch (HTTP ${res.status}): ${messageOf(text)}${hintFor(res.status, text)}`);
  }
}

/** A 200 may still refuse some events (partial success): any refusal stops the load. */
function acceptedCount(text: string, events: DemoEvent[]): number {
  const body = JSON.parse(text) as { accepted?: number; rejected?: { index?: number; reason?: string; field?: string }[] };
  const first = body.rejected?.[0];
  if (first) {
    const e = events[first.index ?? 0];
    throw new DemoAbort(
      `the server refused ${body.rejected!.length} of ${events.length} events in a batch; first: "${e?.event}" of ${e?.distinctId}: ${first.field ?? ""} ${first.reason ?? ""}`.trim() +
        hintFor(400, first.reason ?? ""),
    );
  }
  return body.accepted ?? 0;
}

function hintFor(status: number, text: string): string {
  if (/not an allowed event name/.test(text)) {
    return "\n  The demo sends user_registered, payment_success, most_used_feature and page_view (the server's defaults). Start the server with those in ALLOWED_EVENTS, or ALLOWED_EVENTS=*.";
  }
  if (status === 413) return "\n  A batch of 500 events is larger than the server's MAX_REQUEST_BYTES allows; raise it on the server.";
  if (status === 401 || status === 403) {
    return "\n  Pass the project's write key: --key ipw_… (the first `npm start` printed it; `npm run keys -- list` shows it again).";
  }
  if (status === 404) return "\n  No /api/v1/batch route there: is --url an InsightPlus server?";
  return "";
}

function messageOf(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: string };
    if (j.message) return j.message;
  } catch {
    // not JSON: show the text itself
  }
  return text.slice(0, 300);
}

function causeOf(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } }).cause;
  return c?.code ?? c?.message ?? (e as Error).message;
}

const backoffMs = (attempt: number) => Math.min(10_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
