import { InvalidInputError, TooLargeError, UnauthenticatedError } from "../../core/errors/domain-errors.js";
import type { EventInput } from "../../core/events/event-model.js";

/** Events per request at most on the compatible endpoints (posthog-node sends 100 at most, analytics-node 15). */
const mostEventsPerRequest = 1000;

/** What a PostHog or Segment body holds, read into the native event input. */
export interface CompatBatch {
  /** The write key the body names (PostHog's token, Segment's writeKey); undefined: none (headers decide). */
  token?: string;
  sentAt?: string;
  events: EventInput[];
}

export type Obj = Record<string, unknown>;
export const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
export const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** Every token a body names must be the same one: a request may not mix projects. */
export function oneToken(tokens: Iterable<unknown>): string | undefined {
  let token: string | undefined;
  for (const t of tokens) {
    if (typeof t !== "string" || t === "") continue;
    if (token !== undefined && t !== token) throw new UnauthenticatedError("the request names more than one token (one project per request)");
    token = t;
  }
  return token;
}

/** A batch the SDKs send at most `mostEventsPerRequest` of; more is refused, not cut. */
export function checkedCount(events: readonly unknown[]): void {
  if (events.length === 0) throw new InvalidInputError("batch", "holds no events");
  if (events.length > mostEventsPerRequest) throw new TooLargeError("batch", `holds ${events.length} events (at most ${mostEventsPerRequest} per request)`);
}
