import { longestName } from "./event-model.js";
import { decodeQueuedEvent, QueuedEventSpans } from "./queued-event-codec.js";

/** What an event says about its person: properties to keep, and other ids that are the same person. */
export interface PersonChange {
  projectId: string;
  distinctId: string;
  /** The event's time: the latest $set of a property wins, the earliest $set_once. */
  atMs: number;
  set: Record<string, unknown>;
  setOnce: Record<string, unknown>;
  /** Ids linked to this one: the anonymous id an $identify names, the alias a $create_alias names. */
  linked: string[];
}

const setMarker = Buffer.from('"$set');
/** An id linked to a person is held to what a distinct id may be (at most longestName), and has no control characters. */
const controls = /\p{Cc}/u;
/** Properties one $set (or $set_once) keeps at most: capture refuses more on JSON; a binary client's extra ones are left out. */
export const mostPersonProperties = 1000;

const object = (v: unknown): Record<string, unknown> => {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return {};
  const keys = Object.keys(v);
  return keys.length <= mostPersonProperties
    ? (v as Record<string, unknown>)
    : Object.fromEntries(keys.slice(0, mostPersonProperties).map((k) => [k, (v as Record<string, unknown>)[k]]));
};
const linkingEvents = new Set(["$identify", "$create_alias"]);
const needles = ["set", "identify", "create_alias"].map((word) => Buffer.from(word));

/** Whether `b` holds `word` right after position `at`. */
function wordAt(b: Uint8Array, at: number, word: Uint8Array): boolean {
  if (at + word.length > b.length) return false;
  for (let k = 0; k < word.length; k++) if (b[at + k] !== word[k]) return false;
  return true;
}

/**
 * Whether the bytes may hold a person change: `$set`, `$identify` or `$create_alias` anywhere. One pass
 * in JavaScript over the `$`s: most events hold none, or only other `$` properties, and a native indexOf
 * per event cost ~0.3 µs of call overhead, about as much as reading the spans.
 */
function mayChangePerson(b: Uint8Array): boolean {
  for (let i = b.indexOf(0x24); i >= 0; i = b.indexOf(0x24, i + 1)) {
    for (const word of needles) if (wordAt(b, i + 1, word)) return true;
  }
  return false;
}

/**
 * The person change a queued event carries, if any: `$set` / `$set_once` in
 * its properties (PostHog's names; Segment's identify traits arrive as $set),
 * and the links of `$identify` ($anon_distinct_id) and `$create_alias`
 * (alias). Most events carry none: byte searches decide that before
 * anything is parsed (the worker calls this per event).
 */
export function personChangeOf(raw: Uint8Array): PersonChange | undefined {
  if (!mayChangePerson(raw)) return undefined; // most events: no span read (~0.4 µs an event) at all
  const s = new QueuedEventSpans(raw);
  if (!s.read()) {
    const e = decodeQueuedEvent(raw); // the rare entry the span reader leaves to the generic one
    return changeOf(e.projectId, e.event, e.distinctId, e.timestampMs, Buffer.from(e.propertiesJson));
  }
  const props = Buffer.from(raw.buffer, raw.byteOffset + s.spans[6], s.spans[7] - s.spans[6]);
  return changeOf(s.projectId(), s.text(s.spans[2], s.spans[3]), s.text(s.spans[4], s.spans[5]), s.timestampMs, props);
}

function changeOf(projectId: string, event: string, distinctId: string, atMs: number, props: Buffer): PersonChange | undefined {
  if (!linkingEvents.has(event) && props.indexOf(setMarker) < 0) return undefined;
  let properties: Record<string, unknown>;
  try {
    properties = JSON.parse(props.toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const linked = [event === "$identify" ? properties.$anon_distinct_id : undefined, event === "$create_alias" ? properties.alias : undefined].filter(
    (id): id is string => typeof id === "string" && id !== "" && id !== distinctId && id.length <= longestName && !controls.test(id),
  );
  const change: PersonChange = { projectId, distinctId, atMs, set: object(properties.$set), setOnce: object(properties.$set_once), linked };
  const empty = Object.keys(change.set).length === 0 && Object.keys(change.setOnce).length === 0 && linked.length === 0;
  return empty ? undefined : change;
}
