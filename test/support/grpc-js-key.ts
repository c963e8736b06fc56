import * as grpc from "@grpc/grpc-js";
import { testKeys } from "./test-keys.js";

/** A grpc-js client interceptor adding `authorization: Bearer <key>` metadata to every call. */
export function grpcJsKey(key: string = testKeys.write): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set("authorization", `Bearer ${key}`);
        next(metadata, listener);
      },
    });
}
