import { useEffect, useState } from "preact/hooks";
import { reasonOf } from "./api.js";

export type Answer<T> = { state: "loading" } | { state: "failed"; reason: string } | { state: "ready"; value: T };

/** Runs `ask` whenever a dependency changes; an older answer arriving late is dropped. */
export function useAnswer<T>(ask: () => Promise<T>, deps: unknown[]): Answer<T> {
  const [answer, setAnswer] = useState<Answer<T>>({ state: "loading" });
  useEffect(() => {
    let current = true;
    setAnswer({ state: "loading" });
    ask().then(
      (value) => current && setAnswer({ state: "ready", value }),
      (e: unknown) => current && setAnswer({ state: "failed", reason: reasonOf(e) }),
    );
    return () => {
      current = false;
    };
    // The caller lists what the question depends on (`ask` is a new function at every render).
  }, deps);
  return answer;
}
