import type { IncomingHttpHeaders } from "node:http";

/** Node's request headers as a fetch Headers object (what Connect handler contexts carry); HTTP/2 pseudo-headers left out. */
export function webHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const key in incoming) {
    const value = incoming[key];
    if (value === undefined || key.charCodeAt(0) === 58 /* ":" pseudo-headers */) continue;
    if (typeof value === "string") headers.append(key, value);
    else for (const v of value) headers.append(key, v);
  }
  return headers;
}
