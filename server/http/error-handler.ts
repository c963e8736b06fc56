import type { ConnectError } from "@connectrpc/connect";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { InvalidInputError, TooLargeError } from "../../core/errors/domain-errors.js";
import { httpStatusOf, restErrorBody, toConnectError } from "../errors/error-table.js";
import { type DrainLimits, drainUnreadBody } from "./unread-body-drain.js";

/**
 * The one HTTP error handler: Fastify's own 4xx (body too large, bad media
 * type) and every domain or Connect error go out with the status from the
 * shared error table, in the JSON shape of the API called. Only real faults
 * are 500s.
 */
export function createErrorHandler(drainLimits: DrainLimits, shape: (err: ConnectError) => unknown = restErrorBody) {
  return function handleError(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
    // Refused before its body was read: let the client finish sending (Fastify asked to close for this case).
    if (drainUnreadBody(req.raw, reply.raw, drainLimits)) reply.removeHeader("connection");
    return sendError(error, req, reply, shape);
  };
}

/** The status from the one error table; the body in the shape of the API that was called (ours, PostHog's, Segment's). */
function sendError(error: FastifyError, req: FastifyRequest, reply: FastifyReply, shape: (err: ConnectError) => unknown) {
  const err = toConnectError(fromFastify(error));
  const status = httpStatusOf(err);
  const retryAfter = err.metadata.get("retry-after");
  if (retryAfter) void reply.header("retry-after", retryAfter);
  if (status >= 500 && status !== 501 && status !== 503) req.log.error({ err: error, reqId: req.id }, "request failed");
  return reply.status(status).send(shape(err));
}

function fromFastify(error: FastifyError): unknown {
  const status = error.statusCode;
  if (status === 413) return new TooLargeError("body", "the request body is larger than the configured limit");
  if (status !== undefined && status >= 400 && status < 500) return new InvalidInputError("body", error.message);
  return error;
}
