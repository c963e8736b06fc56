import { Code, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { httpRequestKey } from "../access/request-context.js";
import { toConnectError } from "../errors/error-table.js";
import { noteRpcFailure } from "../http/metrics-routes.js";

/**
 * Maps domain errors to Connect codes for every RPC, through the shared error
 * table; logs real faults; notes the code for the request metrics. A streaming answer's errors surface while its
 * messages are read, so they are mapped there too.
 */
export function createErrorInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const mapped = (e: unknown, rpc: string) => {
      const err = toConnectError(e);
      if (err.code === Code.Internal) logger.error({ err: e, rpc }, "rpc failed");
      const http = req.contextValues.get(httpRequestKey);
      if (http) noteRpcFailure(http, err.code);
      return err;
    };
    try {
      const res = await next(req);
      if (!res.stream) return res;
      const messages = res.message;
      return {
        ...res,
        message: (async function* () {
          try {
            yield* messages;
          } catch (e) {
            throw mapped(e, req.method.name);
          }
        })(),
      };
    } catch (e) {
      throw mapped(e, req.method.name);
    }
  };
}
