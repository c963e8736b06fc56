import type { IncomingMessage, ServerResponse } from "node:http";

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
 * an HTTP/2 stream is reset on its own, the connection stays. The bound is
 * counted from when the answer has left (a cut before would lose it: a busy
 * server may take longer to send it than a fast client takes to pass the
 * bound). True when the body is being drained.
 */
export function drainUnreadBody(req: IncomingMessage, res: ServerResponse, limits: DrainLimits): boolean {
  if (req.complete || req.httpVersionMajor !== 1) return false;
  // Counted on the socket: Node drops the rest of the body itself once the answer is sent, and removes any
  // 'data' listener when it does, so a listener would stop counting.
  const socket = req.socket;
  let watch: NodeJS.Timeout | undefined;
  let done = false;
  const stop = () => {
    done = true;
    clearInterval(watch);
  };
  const start = () => {
    if (done) return;
    const startBytes = socket.bytesRead;
    const startedAt = Date.now();
    watch = setInterval(() => {
      if (socket.bytesRead - startBytes > limits.maxBytes || Date.now() - startedAt > limits.maxMs) socket.destroy();
    }, 20);
    watch.unref();
  };
  if (res.writableFinished) start();
  else res.once("finish", start);
  res.once("close", () => res.writableFinished || socket.destroy()); // the answer never left: nothing to linger for
  req.once("end", stop); // all of it read: the connection serves the next request
  socket.once("close", stop);
  req.resume();
  return true;
}
