import type { JsonObject } from "@bufbuild/protobuf";
import { v5 as uuidv5 } from "uuid";
import { InvalidInputError } from "../../core/errors/domain-errors.js";
import { type EventInput, eventUuidPattern } from "../../core/events/event-model.js";
import { type CompatBatch, checkedCount, isObject, type Obj, oneToken, str } from "./compat-batch.js";

/** The namespace messageIds that are not UUIDs are hashed in (UUIDv5): the same messageId is the same event. */
const messageIdNamespace = "6f6d2a4e-8f86-4d7e-9b1c-2c9f3b9d5a10";

export const segmentTypes = ["track", "identify", "page", "screen", "group", "alias"] as const;
export type SegmentType = (typeof segmentTypes)[number];
const types = new Set<string>(segmentTypes);
/** analytics.js's short paths (/v1/t …) name the type by its first letter. */
export const typeByLetter: Record<string, SegmentType> = { t: "track", i: "identify", p: "page", s: "screen", g: "group", a: "alias" };

/**
 * Segment's Tracking API bodies as the native event input: one call (its type
 * from the path or the body) or `{batch, writeKey?, sentAt?}`. The user is
 * `userId`, else `anonymousId`; `messageId` the idempotency key (a UUID as it
 * is, anything else hashed into one); `timestamp` (or RudderStack's
 * `originalTimestamp`) and `sentAt` the native skew correction. Calls other
 * than track become PostHog-style events, so one model serves both:
 * page → `$pageview`, screen → `$screen`, identify → `$identify` with the
 * traits as `$set`, group → `$groupidentify`, alias → `$create_alias`.
 */
export function segmentBatchOf(payload: unknown, type: SegmentType | "batch"): CompatBatch {
  if (!isObject(payload)) throw new InvalidInputError("body", "must be a JSON object");
  const list: unknown[] = type === "batch" ? (Array.isArray(payload.batch) ? payload.batch : []) : [payload];
  if (type === "batch" && !Array.isArray(payload.batch)) throw new InvalidInputError("batch", "must be a list of calls");
  checkedCount(list);
  const calls = list.map((c, i) => {
    if (!isObject(c)) throw new InvalidInputError(`batch[${i}]`, "must be a call object");
    return c;
  });
  const token = oneToken([payload.writeKey, ...calls.map((c) => c.writeKey)]);
  const sentAt = str(payload.sentAt);
  return {
    token,
    sentAt,
    events: calls.map((c, i) => {
      const t = type === "batch" ? str(c.type) : type;
      if (!t || !types.has(t))
        throw new InvalidInputError(type === "batch" ? `batch[${i}].type` : "type", "must be track, identify, page, screen, group or alias");
      return callInput(c, t as SegmentType, sentAt);
    }),
  };
}

function callInput(c: Obj, type: SegmentType, batchSentAt: string | undefined): EventInput {
  const context = isObject(c.context) ? c.context : {};
  const page = isObject(context.page) ? context.page : {};
  const userId = typeof c.userId === "number" ? String(c.userId) : str(c.userId);
  const distinctId = userId || str(c.anonymousId) || "";
  // identify's traits (RudderStack puts them in context.traits too); a group's own traits are the group's.
  const traits = isObject(c.traits) ? c.traits : type === "identify" && isObject(context.traits) ? context.traits : undefined;
  const own = isObject(c.properties) ? c.properties : {};
  const props: Obj = { ...own };
  const library = isObject(context.library) ? context.library : {};
  const add = (key: string, value: unknown) => {
    if (value !== undefined && value !== "" && props[key] === undefined) props[key] = value;
  };
  // Where the call came from, under PostHog's names (what enrichment and the analytics read).
  add("$current_url", str(page.url));
  add("$referrer", str(page.referrer));
  add("$raw_user_agent", str(context.userAgent));
  add("$lib", str(library.name));
  add("$lib_version", str(library.version));
  let event = str(c.event) ?? "";
  if (type === "page" || type === "screen") {
    event = type === "page" ? "$pageview" : "$screen";
    add(type === "page" ? "name" : "$screen_name", str(c.name));
    add("category", str(c.category));
  } else if (type === "identify") {
    event = "$identify";
    if (traits) props.$set = traits;
    if (userId && str(c.anonymousId)) props.$anon_distinct_id = c.anonymousId;
  } else if (type === "group") {
    event = "$groupidentify";
    props.$group_type = "group";
    props.$group_key = str(c.groupId) ?? (typeof c.groupId === "number" ? String(c.groupId) : "");
    if (traits) props.$group_set = traits;
  } else if (type === "alias") {
    event = "$create_alias";
    add("alias", str(c.previousId));
  }
  const messageId = str(c.messageId) ?? "";
  return {
    event,
    distinctId,
    properties: props as JsonObject,
    timestamp: str(c.timestamp) ?? str(c.originalTimestamp) ?? "",
    uuid: messageId === "" ? "" : eventUuidPattern.test(messageId) ? messageId : uuidv5(messageId, messageIdNamespace),
    sentAt: str(c.sentAt) ?? batchSentAt ?? "",
  };
}
