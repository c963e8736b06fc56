import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import net from "node:net";

type Handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void;

export interface DualProtocolServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish, then forces what is left after `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

// Every HTTP/2 connection starts with this preface; HTTP/1 requests never start with "PRI".
const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * One port for cleartext HTTP/2 (gRPC, Connect over h2) and HTTP/1.1 (REST,
 * gRPC-Web, Connect): Node's h2c server refuses HTTP/1.1, so a TCP server peeks
 * at the first bytes and hands the socket to the matching server.
 */
export function createDualProtocolServer(handler: Handler | http.RequestListener, opts: { firstByteTimeoutMs?: number } = {}): DualProtocolServer {
  const h1 = http.createServer(handler as http.RequestListener);
  const h2 = http2.createServer({}, handler as never);
  const tcp = net.createServer(route);
  const h1Sockets = new Map<net.Socket, number>(); // socket → requests in flight
  const h2Sessions = new Set<http2.ServerHttp2Session>();
  const allSockets = new Set<net.Socket>();
  const h2Sockets = new Set<net.Socket>();
  let closing = false;

  h1.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    h1Sockets.set(socket, (h1Sockets.get(socket) ?? 0) + 1);
    if (closing) res.setHeader("connection", "close");
    res.once("close", () => {
      const left = (h1Sockets.get(socket) ?? 1) - 1;
      h1Sockets.set(socket, left);
      if (closing && left === 0) socket.destroySoon();
    });
  });
  h2.on("session", (session) => {
    h2Sessions.add(session);
    session.once("close", () => h2Sessions.delete(session));
    if (closing) session.close();
  });

  function route(socket: net.Socket) {
    allSockets.add(socket);
    socket.once("close", () => {
      allSockets.delete(socket);
      h1Sockets.delete(socket);
      h2Sockets.delete(socket);
    });
    socket.on("error", () => socket.destroy());
    socket.setTimeout(opts.firstByteTimeoutMs ?? 10_000, () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, h2Preface.length);
      const isH2 = head.subarray(0, n).equals(h2Preface.subarray(0, n));
      if (isH2 && head.length < h2Preface.length) return; // wait for the whole preface
      socket.off("data", onData);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(head);
      if (isH2) {
        h2Sockets.add(socket);
        h2.emit("connection", socket);
      } else {
        h1Sockets.set(socket, 0);
        h1.emit("connection", socket);
      }
      process.nextTick(() => socket.resume());
    };
    socket.on("data", onData);
  }

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, host, () => {
          tcp.off("error", reject);
          resolve(tcp.address() as AddressInfo);
        });
      });
    },
    async close(timeoutMs) {
      closing = true;
      const stopped = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const session of h2Sessions) session.close();
      for (const [socket, inFlight] of h1Sockets) if (inFlight === 0) socket.destroySoon();
      // Sockets that never sent a byte yet have no protocol; drop them.
      for (const socket of allSockets) if (!h1Sockets.has(socket) && !h2Sockets.has(socket)) socket.destroy();
      const timer = setTimeout(() => {
        for (const socket of allSockets) socket.destroy();
      }, timeoutMs);
      await stopped;
      clearTimeout(timer);
    },
  };
}
