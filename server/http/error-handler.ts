import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { InvalidInputError, TooLargeError } from "../../core/errors/domain-errors.js";
import { httpStatusOf, restErrorBody, toConnectError } from "../errors/error-table.js";
import { type DrainLimits, drainUnreadBody } from "./unread-body-drain.js";

/**
 * The one HTTP error handler: Fastify's own 4xx (body too large, bad media
 * type) and every domain or Connect error go out in the same JSON shape,
 * with the status from the shared error table. Only real faults are 500s.
 */
export function createErrorHandler(drainLimits: DrainLimits) {
  return function handleError(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
    // Refused before its body was read: let the client finish sending (Fastify asked to close for this case).
    if (drainUnreadBody(req.raw, reply.raw, drainLimits)) reply.removeHeader("connection");
    return sendError(error, req, reply);
  };
}

function sendError(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const err = toConnectError(fromFastify(error));
  const status = httpStatusOf(err);
  const retryAfter = err.metadata.get("retry-after");
  if (retryAfter) void reply.header("retry-after", retryAfter);
  if (status >= 500 && status !== 501 && status !== 503) req.log.error({ err: error, reqId: req.id }, "request failed");
  return reply.status(status).send(restErrorBody(err));
}

function fromFastify(error: FastifyError): unknown {
  const status = error.statusCode;
  if (status === 413) return new TooLargeError("body", "the request body is larger than the configured limit");
  if (status !== undefined && status >= 400 && status < 500) return new InvalidInputError("body", error.message);
  return error;
}
