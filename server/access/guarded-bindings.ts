import type { HandlerContext } from "@connectrpc/connect";
import type { Door } from "../../access/access-check.js";
import type { ServiceBinding } from "../rpc/service-registry.js";
import type { Admission } from "./admission.js";
import { principalKey } from "./principal-context.js";
import { httpRequestOf } from "./request-context.js";

/** Which door each service is behind; a service missing here is refused at start-up, never left open. */
const doors: Record<string, Door> = {
  "insightplus.v1.CaptureService": "capture",
  "insightplus.v1.AnalyticsService": "analytics",
  "insightplus.v1.AdminService": "admin",
};

type AnyMethod = (req: unknown, ctx: HandlerContext) => unknown;

/** A stream outlives the check at its start: its key is checked again before a message once this much time has passed. */
const streamRecheckMs = 5000;

/**
 * Every method of every service behind the one access check, before its
 * implementation runs: the same for gRPC, gRPC-Web, Connect and REST (all of
 * them call these implementations), with errors mapped by the one error
 * table. The implementation finds the checked caller with principalOf(ctx).
 */
export function guardBindings(bindings: readonly ServiceBinding[], admission: Admission): ServiceBinding[] {
  async function admit(ctx: HandlerContext, door: Door): Promise<void> {
    ctx.values.set(principalKey, await admission.admit(httpRequestOf(ctx), door));
  }
  return bindings.map((b) => {
    const door = doors[b.service.typeName];
    if (!door) throw new Error(`${b.service.typeName} has no access rule`);
    const impl: Record<string, AnyMethod> = {};
    for (const method of b.service.methods) {
      const fn = (b.impl as Record<string, AnyMethod | undefined>)[method.localName];
      if (!fn) continue;
      const bound = fn.bind(b.impl);
      impl[method.localName] =
        method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming"
          ? async function* (req, ctx) {
              await admit(ctx, door);
              let admittedAt = Date.now();
              // A key revoked (or a project erased) while the stream is open ends it at its next message.
              for await (const message of bound(req, ctx) as AsyncIterable<unknown>) {
                if (Date.now() - admittedAt >= streamRecheckMs) {
                  await admit(ctx, door);
                  admittedAt = Date.now();
                }
                yield message;
              }
            }
          : async (req, ctx) => {
              await admit(ctx, door);
              return bound(req, ctx);
            };
    }
    return { service: b.service, impl: impl as unknown as ServiceBinding["impl"] };
  });
}
