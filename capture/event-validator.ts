import { InvalidInputError, TooLargeError } from "../core/errors/domain-errors.js";
import { type EventInput, eventUuidPattern, longestName, type ValidatedEvent } from "../core/events/event-model.js";
import { mostPersonProperties } from "../core/events/person-change.js";
import type { CaptureTarget } from "./capture-target.js";
import { resolveEventTime } from "./clock-skew.js";
import { newEventId } from "./event-id.js";
import { parseIsoTime } from "./iso-time.js";
import { propertiesFromObject, propertiesFromStructBytes } from "./struct-wire-json.js";
import { checkText } from "./text-check.js";

export interface EventValidatorOptions {
  maxEventBytes: number;
}

export interface EventValidator {
  /** Returns the event ready to queue in the target's project, or throws InvalidInputError / TooLargeError naming the field. */
  validate(input: EventInput, target: CaptureTarget, receivedAtMs: number, batchSentAt?: string): ValidatedEvent;
}

const jsonLimits = { maxDepth: 10, maxKeyLength: 256 };

export function createEventValidator(opts: EventValidatorOptions): EventValidator {
  function requiredName(value: string, field: string): string {
    if (value === "") throw new InvalidInputError(field, "is required");
    if (value.length > longestName) throw new InvalidInputError(field, `is longer than ${longestName} characters`);
    checkText(value, field);
    return value;
  }

  function optionalTime(value: string, field: string): number | undefined {
    if (value === "") return undefined;
    const ms = parseIsoTime(value);
    if (ms === undefined) throw new InvalidInputError(field, "is not an ISO 8601 date-time");
    return ms;
  }

  return {
    validate(input, target, receivedAtMs, batchSentAt) {
      const event = requiredName(input.event, "event");
      if (!target.eventNames.accepts(event)) {
        throw new InvalidInputError("event", `"${event}" is not an allowed event name (allowed ${target.eventNames.description})`);
      }
      const distinctId = requiredName(input.distinctId, "distinctId");
      const raw = input.properties ?? {};
      const properties =
        raw instanceof Uint8Array ? propertiesFromStructBytes(raw, "properties", jsonLimits) : propertiesFromObject(raw, "properties", jsonLimits);
      if (!(raw instanceof Uint8Array)) checkPersonProperties(raw);
      if (event === "most_used_feature") {
        const feature = properties.feature;
        if (typeof feature !== "string" || feature === "") {
          throw new InvalidInputError("properties.feature", 'is required (a string) for "most_used_feature" events');
        }
      }
      let uuid = input.uuid;
      if (uuid === "") uuid = newEventId();
      else if (!eventUuidPattern.test(uuid)) throw new InvalidInputError("uuid", "is not a UUID");
      else uuid = uuid.toLowerCase();

      const timestamp = optionalTime(input.timestamp, "timestamp");
      const sentAt = optionalTime(input.sentAt || batchSentAt || "", "sentAt");
      const time = resolveEventTime(receivedAtMs, timestamp, sentAt);
      if (!time.ok) throw new InvalidInputError("timestamp", time.reason);

      const propertiesJson = properties.json;
      const size = byteLength(propertiesJson) + Buffer.byteLength(event) + Buffer.byteLength(distinctId);
      if (size > opts.maxEventBytes) {
        throw new TooLargeError("properties", `the event is larger than ${opts.maxEventBytes} bytes`);
      }
      return {
        projectId: target.projectId,
        uuid,
        event,
        distinctId,
        propertiesJson,
        timestampMs: time.timestampMs,
        receivedAtMs,
        timestampClamped: time.clamped,
      };
    },
  };
}

/** `$set` and `$set_once` name at most mostPersonProperties properties each (the worker writes a row per property). */
function checkPersonProperties(properties: Record<string, unknown>): void {
  for (const key of ["$set", "$set_once"]) {
    const v = properties[key];
    if (v !== null && typeof v === "object" && Object.keys(v).length > mostPersonProperties) {
      throw new InvalidInputError(`properties.${key}`, `names more than ${mostPersonProperties} properties`);
    }
  }
}

function byteLength(text: string | Buffer): number {
  return typeof text === "string" ? Buffer.byteLength(text) : text.length;
}
