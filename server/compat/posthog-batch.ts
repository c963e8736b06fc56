import type { JsonObject } from "@bufbuild/protobuf";
import { InvalidInputError } from "../../core/errors/domain-errors.js";
import type { EventInput } from "../../core/events/event-model.js";
import { type CompatBatch, checkedCount, isObject, type Obj, oneToken, str } from "./compat-batch.js";

/**
 * PostHog's capture bodies as the native event input: one event, an array,
 * or `{api_key, batch, sent_at}` (posthog-js and posthog-node); `/engage`'s
 * `{$token, $distinct_id, $set}`. The token from `api_key`, `token`, `$token`
 * or `properties.token`; `distinct_id` from the event or its properties
 * (numbers as text); top-level `$set`/`$set_once` (posthog-js's identify)
 * into the properties, where the worker reads person changes. Names,
 * properties and uuids are kept as sent.
 */
export function postHogBatchOf(payload: unknown, engage: boolean): CompatBatch {
  const top: Obj = Array.isArray(payload) ? {} : (payload as Obj);
  const list: unknown[] = Array.isArray(payload) ? payload : Array.isArray(top.batch) ? top.batch : [payload];
  checkedCount(list);
  const events = list.map((e, i) => {
    if (!isObject(e)) throw new InvalidInputError(`batch[${i}]`, "must be an event object");
    return e;
  });
  const token = oneToken([
    top.api_key,
    top.token,
    ...events.flatMap((e) => [e.api_key, e.token, e.$token, ...(isObject(e.properties) ? [e.properties.token, e.properties.$token] : [])]),
  ]);
  const sentAt = str(top.sent_at);
  return { token, sentAt, events: events.map((e) => (engage ? engageInput(e) : eventInput(e, sentAt))) };
}

function distinctIdOf(e: Obj, props: Obj): string {
  const id = e.distinct_id ?? e.$distinct_id ?? props.distinct_id ?? props.$distinct_id;
  return typeof id === "number" && Number.isFinite(id) ? String(id) : (str(id) ?? "");
}

function eventInput(e: Obj, batchSentAt: string | undefined): EventInput {
  const props: Obj = isObject(e.properties) ? { ...e.properties } : {};
  delete props.token;
  delete props.$token;
  if (isObject(e.$set)) props.$set = { ...(isObject(props.$set) ? props.$set : {}), ...e.$set };
  if (isObject(e.$set_once)) props.$set_once = { ...(isObject(props.$set_once) ? props.$set_once : {}), ...e.$set_once };
  const sentAt = str(e.sent_at) ?? batchSentAt;
  let timestamp = str(e.timestamp) ?? "";
  // Older clients send how long ago the event happened instead of when: before sent_at, else before now.
  if (timestamp === "" && typeof e.offset === "number" && Number.isFinite(e.offset) && e.offset >= 0) {
    const at = (sentAt ? Date.parse(sentAt) : Date.now()) - e.offset;
    if (Number.isFinite(at) && at > 0 && at < 8.64e15) timestamp = new Date(at).toISOString(); // else the validator's "now" stands
  }
  return {
    event: str(e.event) ?? "",
    distinctId: distinctIdOf(e, props),
    properties: props as JsonObject,
    timestamp,
    uuid: str(e.uuid) ?? "",
    sentAt: sentAt ?? "",
  };
}

/** `/engage`: a person update without an event of its own; stored as a `$set` event, as PostHog does. */
function engageInput(e: Obj): EventInput {
  const props: Obj = {};
  for (const key of ["$set", "$set_once"]) if (isObject(e[key])) props[key] = e[key];
  return { event: "$set", distinctId: distinctIdOf(e, {}), properties: props as JsonObject, timestamp: "", uuid: "", sentAt: "" };
}
