import type { Transport } from "../core/platform.js";

/**
 * A transport whose module is imported on first use: the Connect/gRPC
 * transports need @connectrpc/* (optional peer dependencies), which JSON
 * users never install. A missing package is reported as a configuration
 * error, not retried forever.
 */
export function createLazyTransport(name: string, load: () => Promise<Transport>): Transport {
  let loading: Promise<Transport> | undefined;
  return {
    async send(batch, sentAt, signal) {
      let transport: Transport;
      try {
        transport = await (loading ??= load());
      } catch (e) {
        loading = undefined;
        const message = `transport "${name}" needs @connectrpc/connect and @connectrpc/connect-node (npm install them, or use transport "json"): ${(e as Error)?.message ?? e}`;
        return { kind: "fatal", status: 0, message };
      }
      return transport.send(batch, sentAt, signal);
    },
  };
}
