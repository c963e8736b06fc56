import type { Interceptor } from "@connectrpc/connect";
import { toConnectError } from "../errors/error-table.js";

/** Maps domain errors to Connect codes for every RPC, through the shared error table. */
export const errorInterceptor: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (e) {
    throw toConnectError(e);
  }
};
