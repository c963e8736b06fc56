import type { BatchResponseJson, RejectionJson } from "./contract-types.js";

/** What a transport makes of one batch request. Transports never throw. */
export type SendResult =
  /** 2xx: everything not listed in `rejected` was queued by the server. Never retried. */
  | { kind: "ok"; rejected: RejectionJson[] }
  /** 413: halve the batch; a single event is dropped. */
  | { kind: "too_large"; message: string }
  /** 408, 429, 5xx, network errors: try again later (not before retryAfterMs). */
  | { kind: "retry"; message: string; status?: number; retryAfterMs?: number }
  /** Other 4xx (400, 401, 403, 404, 422…): retrying cannot help. */
  | { kind: "fatal"; message: string; status: number };

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500 || status === 0;
}

/** Classifies an HTTP answer of POST /api/v1/batch. */
export function resultOfHttp(status: number, retryAfter: string | null, bodyText: string, nowMs: number): SendResult {
  if (status >= 200 && status < 300) {
    let json: BatchResponseJson = {};
    try {
      json = JSON.parse(bodyText) as BatchResponseJson;
    } catch {
      // A 2xx without a readable body still means queued: retrying would duplicate.
    }
    return { kind: "ok", rejected: Array.isArray(json.rejected) ? json.rejected : [] };
  }
  const message = `HTTP ${status}${errorMessage(bodyText)}`;
  if (status === 413) return { kind: "too_large", message };
  if (isRetryableStatus(status)) return { kind: "retry", message, status, retryAfterMs: parseRetryAfter(retryAfter, nowMs) };
  return { kind: "fatal", message, status };
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function errorMessage(bodyText: string): string {
  try {
    const m = (JSON.parse(bodyText) as { message?: unknown }).message;
    return typeof m === "string" ? `: ${m}` : "";
  } catch {
    return "";
  }
}
