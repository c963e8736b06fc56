import type { JsonValue } from "@bufbuild/protobuf";
import { InvalidInputError } from "../core/errors/domain-errors.js";
import { textProblem } from "./text-check.js";

export const forbiddenKeys = new Set(["__proto__", "constructor", "prototype"]);

export interface JsonLimits {
  maxDepth: number;
  maxKeyLength: number;
}

/**
 * Refuses prototype-polluting keys, over-deep nesting and (unless `text` is
 * false) malformed text in a JSON value. Recursion stops at maxDepth, so a
 * hostile depth cannot blow the stack. `path` is the JSON name of the field
 * holding the value; paths are only built for an error (they were most of
 * this walk's garbage).
 */
export function checkJson(value: JsonValue, path: string, limits: JsonLimits, text = true): void {
  new JsonChecker(path, limits, text).walk(value, 0);
}

/** "root.key[2].other": the JSON path of a value, from the field holding it and the keys and indexes below. */
export function jsonPath(root: string, parts: ReadonlyArray<string | number>): string {
  let out = root;
  for (const p of parts) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out;
}

class JsonChecker {
  private readonly parts: Array<string | number> = [];

  constructor(
    private readonly root: string,
    private readonly limits: JsonLimits,
    private readonly text: boolean,
  ) {}

  private at(): string {
    return jsonPath(this.root, this.parts);
  }

  walk(v: JsonValue, depth: number): void {
    if (typeof v === "string") {
      if (this.text) {
        const problem = textProblem(v);
        if (problem !== undefined) throw new InvalidInputError(this.at(), problem);
      }
      return;
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new InvalidInputError(this.at(), "must be a finite number");
      return;
    }
    if (v === null || typeof v !== "object") return;
    if (depth >= this.limits.maxDepth) throw new InvalidInputError(this.at() || "body", `nested deeper than ${this.limits.maxDepth} levels`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        this.parts.push(i);
        this.walk(v[i], depth + 1);
        this.parts.pop();
      }
      return;
    }
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      this.checkKey(key);
      this.parts.push(key);
      this.walk(v[key], depth + 1);
      this.parts.pop();
    }
  }

  private checkKey(key: string): void {
    if (forbiddenKeys.has(key)) {
      this.parts.push(key);
      throw new InvalidInputError(this.at(), `the key "${key}" is not allowed`);
    }
    if (key.length > this.limits.maxKeyLength) {
      throw new InvalidInputError(this.at() || "body", `a key is longer than ${this.limits.maxKeyLength} characters`);
    }
    const problem = this.text ? textProblem(key) : undefined;
    if (problem !== undefined) {
      this.parts.push(key);
      throw new InvalidInputError(`${this.at()} (key)`, problem);
    }
  }
}
