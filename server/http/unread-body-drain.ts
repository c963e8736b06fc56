import type { IncomingMessage } from "node:http";

export interface DrainLimits {
  /** Bytes of an unread body read and dropped after an early answer before the connection is cut. */
  maxBytes: number;
  maxMs: number;
}

/**
 * An answer sent before the request body was read (a 413, a refused encoding)
 * must reach the client: one that is still sending (Node's fetch, our SDK's
 * 413 halving) fails with EPIPE if the server closes first, and never sees the
 * answer. So, as nginx's lingering close does, the rest of the body is read and
 * dropped, up to a bound of bytes and time, and the connection is kept for the
 * next request; past the bound it is cut. The answer must not say
 * `connection: close` (Node would close as soon as it is sent). HTTP/1.1 only:
 * an HTTP/2 stream is reset on its own, the connection stays. True when the
 * body is being drained.
 */
export function drainUnreadBody(req: IncomingMessage, limits: DrainLimits): boolean {
  if (req.complete || req.httpVersionMajor !== 1) return false;
  // Counted on the socket: Node drops the rest of the body itself once the answer is sent, and removes any
  // 'data' listener when it does, so a listener would stop counting.
  const socket = req.socket;
  const startBytes = socket.bytesRead;
  const startedAt = Date.now();
  const watch = setInterval(() => {
    if (socket.bytesRead - startBytes > limits.maxBytes || Date.now() - startedAt > limits.maxMs) socket.destroy();
  }, 20);
  watch.unref();
  const stop = () => clearInterval(watch);
  req.once("end", stop); // all of it read: the connection serves the next request
  socket.once("close", stop);
  req.resume();
  return true;
}
