import { Code, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { toConnectError } from "../errors/error-table.js";

/** Maps domain errors to Connect codes for every RPC, through the shared error table; logs real faults. */
export function createErrorInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (e) {
      const err = toConnectError(e);
      if (err.code === Code.Internal) logger.error({ err: e, rpc: req.method.name }, "rpc failed");
      throw err;
    }
  };
}
