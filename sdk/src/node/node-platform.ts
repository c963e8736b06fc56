import { createFetchTransport } from "../core/fetch-transport.js";
import type { Platform, Transport } from "../core/platform.js";
import { uuidv7 } from "../core/uuid-v7.js";
import { createLazyTransport } from "./lazy-transport.js";

export type NodeTransportChoice = "json" | "connect" | "grpc" | "grpc-stream";

export interface NodePlatformOptions {
  host: string;
  transport: NodeTransportChoice | Transport;
  headers?: Record<string, string>;
  flushOnExit: boolean;
}

export function createNodePlatform(opts: NodePlatformOptions): Platform {
  const now = () => Date.now();
  return {
    transport: typeof opts.transport === "object" ? opts.transport : pickTransport(opts.transport, opts, now),
    timers: {
      // Our timers never keep the process alive; shutdown's own waits do (its caller is waiting).
      set(fn, ms, keepAlive) {
        const t = setTimeout(fn, ms);
        if (!keepAlive) t.unref();
        return () => clearTimeout(t);
      },
    },
    now,
    uuid: () => uuidv7(now()),
    exit: opts.flushOnExit
      ? {
          subscribe(onExit) {
            process.on("beforeExit", onExit);
            return () => void process.off("beforeExit", onExit);
          },
        }
      : undefined,
  };
}

function pickTransport(choice: NodeTransportChoice, opts: NodePlatformOptions, now: () => number): Transport {
  if (choice === "json") return createFetchTransport({ host: opts.host, contentType: "application/json", headers: opts.headers, now });
  const protocol = choice === "connect" ? "connect" : "grpc";
  const mode = choice === "grpc-stream" ? "stream" : "unary";
  return createLazyTransport(choice, async () =>
    (await import("./connect-transport.js")).createConnectCaptureTransport({ host: opts.host, protocol, mode, headers: opts.headers, now }),
  );
}
