import { eventUuidPattern, longestName, type StoredEvent } from "../../core/events/event-model.js";
import type { DeadLetter, DeadLetters } from "../../queue/redis/redis-dead-letters.js";

export const deadLettersUsage = `npm run dead-letters -- <command>   (the events the workers refused, in Redis: REDIS_URL, REDIS_QUEUE)
  list [--limit N]                 the oldest N (20) with their reason
  show <id>                        one, as JSON: save it, mend its "event", replay it with --file
  replay <id> [--file mended.json] queue it again, as it was or as mended, and take it off the list
  drop <id>                        take it off the list for good`;

export interface CommandResult {
  code: number;
  out: string;
}

/** A dead letter as `show` prints it and `replay --file` reads it back: properties as an object. */
function shown(letter: DeadLetter) {
  const { event, ...rest } = letter;
  if (!event) return { ...rest, event: null };
  const { propertiesJson, ...fields } = event;
  return { ...rest, event: { ...fields, properties: JSON.parse(propertiesJson) as unknown } };
}

/** The mended event from a file `show` wrote (or its "event" alone); an error names the field. */
export function mendedEvent(text: string, file: string): StoredEvent {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON`);
  }
  const e = (doc !== null && typeof doc === "object" && "event" in doc && typeof doc.event === "object" ? doc.event : doc) as Record<string, unknown>;
  const fail = (field: string, why: string): never => {
    throw new Error(`${file}: event.${field} ${why}`);
  };
  const name = (field: string) => {
    const v = e?.[field];
    if (typeof v !== "string" || v === "") return fail(field, "is required (a string)");
    if (v.length > longestName) return fail(field, `is longer than ${longestName} characters`);
    return v;
  };
  const int = (field: string) => (Number.isSafeInteger(e?.[field]) ? (e[field] as number) : fail(field, "must be a whole number (epoch ms)"));
  const uuid = name("uuid");
  if (!eventUuidPattern.test(uuid)) fail("uuid", "is not a UUID");
  const properties = e?.properties ?? {};
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) fail("properties", "must be an object");
  if (typeof (e?.timestampClamped ?? false) !== "boolean") fail("timestampClamped", "must be true or false");
  return {
    projectId: name("projectId"),
    uuid,
    event: name("event"),
    distinctId: name("distinctId"),
    propertiesJson: JSON.stringify(properties),
    timestampMs: int("timestampMs"),
    receivedAtMs: int("receivedAtMs"),
    timestampClamped: e?.timestampClamped === true,
  };
}

/** Runs one command; `readFile` reads a mended event's file. */
export async function runDeadLetters(argv: string[], deps: { letters: DeadLetters; readFile(path: string): Promise<string> }): Promise<CommandResult> {
  const [command, ...args] = argv;
  const flag = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const id = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
  const missing = (what: string) => ({ code: 2, out: `dead-letters: ${command} needs ${what}\n\n${deadLettersUsage}` });
  switch (command) {
    case "list": {
      const limit = Number(flag("--limit") ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return { code: 2, out: "dead-letters: --limit must be a whole number from 1 to 10000" };
      const [letters, total] = await Promise.all([deps.letters.list(limit), deps.letters.count()]);
      const lines = letters.map(
        (l) =>
          `${l.id}  ${l.event ? `${l.event.event} · ${l.event.distinctId} · ${l.event.uuid} · project ${l.event.projectId}` : "(does not decode)"}  — ${l.reason}`,
      );
      return {
        code: 0,
        out: [`${total} dead letter${total === 1 ? "" : "s"}${total > letters.length ? `, the oldest ${letters.length}:` : ""}`, ...lines].join("\n"),
      };
    }
    case "show": {
      if (!id) return missing("an id (from list)");
      const letter = await deps.letters.get(id);
      return letter ? { code: 0, out: JSON.stringify(shown(letter), null, 2) } : { code: 1, out: `dead-letters: no dead letter ${id}` };
    }
    case "replay": {
      if (!id) return missing("an id (from list)");
      const file = flag("--file");
      let mended: StoredEvent | undefined;
      if (file !== undefined) {
        try {
          mended = mendedEvent(await deps.readFile(file), file);
        } catch (e) {
          return { code: 2, out: `dead-letters: ${(e as Error).message}` };
        }
      }
      const replayed = await deps.letters.replay(id, mended);
      if (replayed === "missing") return { code: 1, out: `dead-letters: no dead letter ${id}` };
      if (replayed === "undecodable") return { code: 2, out: `dead-letters: ${id} does not decode: mend it (show, edit, replay --file)` };
      return { code: 0, out: `queued again${mended ? " (mended)" : ""}: ${id}` };
    }
    case "drop": {
      if (!id) return missing("an id (from list)");
      return (await deps.letters.drop(id)) ? { code: 0, out: `dropped: ${id}` } : { code: 1, out: `dead-letters: no dead letter ${id}` };
    }
    default:
      return { code: 2, out: deadLettersUsage };
  }
}
