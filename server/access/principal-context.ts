import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { Principal } from "../../core/access/project-model.js";

/** Where the access check leaves the checked caller for the method it guards (every protocol's context carries it). */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "the caller, as its key was checked" });

/** The caller of a guarded method; a method reached without the check is a wiring fault, not a client error. */
export function principalOf(ctx: HandlerContext): Principal {
  const principal = ctx.values.get(principalKey);
  if (!principal) throw new Error(`${ctx.method.name}: no access check ran`);
  return principal;
}

/** The project a guarded method acts on. */
export const projectOf = (ctx: HandlerContext): string => principalOf(ctx).projectId;
