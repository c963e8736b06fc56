import type { JsonValue } from "@bufbuild/protobuf";
import { InvalidInputError } from "../errors/domain-errors.js";
import { checkText } from "./text-check.js";

const forbiddenKeys = new Set(["__proto__", "constructor", "prototype"]);

export interface JsonLimits {
  maxDepth: number;
  maxKeyLength: number;
}

/**
 * Walks a JSON value without recursion (a hostile depth must not blow the stack)
 * and refuses prototype-polluting keys, over-deep nesting and malformed text.
 * `path` is the JSON name of the field holding the value.
 */
export function checkJson(value: JsonValue, path: string, limits: JsonLimits): void {
  const stack: Array<{ v: JsonValue; path: string; depth: number }> = [{ v: value, path, depth: 0 }];
  while (stack.length > 0) {
    const { v, path: at, depth } = stack.pop()!;
    if (typeof v === "string") {
      checkText(v, at);
      continue;
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new InvalidInputError(at, "must be a finite number");
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth >= limits.maxDepth) {
      throw new InvalidInputError(at || "body", `nested deeper than ${limits.maxDepth} levels`);
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, path: `${at}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const key of Object.keys(v)) {
      const keyPath = at === "" ? key : `${at}.${key}`;
      if (forbiddenKeys.has(key)) throw new InvalidInputError(keyPath, `the key "${key}" is not allowed`);
      if (key.length > limits.maxKeyLength) {
        throw new InvalidInputError(at || "body", `a key is longer than ${limits.maxKeyLength} characters`);
      }
      checkText(key, `${keyPath} (key)`);
      stack.push({ v: (v as Record<string, JsonValue>)[key], path: keyPath, depth: depth + 1 });
    }
  }
}
