import { asWriter } from "./test-keys.js";

/**
 * POST JSON (or raw text or bytes) and return status, headers, the text and the
 * parsed body when it is JSON. Sends the test write key unless `headers` says
 * otherwise (an `authorization` of its own, or `{ authorization: "" }` for none).
 */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return sendJson("POST", url, body, headers);
}

/** PATCH JSON, as postJson POSTs it (the admin API's project changes). */
export function patchJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return sendJson("PATCH", url, body, headers);
}

async function sendJson(method: string, url: string, body: unknown, headers: Record<string, string>) {
  const sent: Record<string, string> = { "content-type": "application/json", ...asWriter, ...headers };
  if (sent.authorization === "") delete sent.authorization;
  const res = await fetch(url, {
    method,
    headers: sent,
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  return answerOf(res);
}

async function answerOf(res: Response) {
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
