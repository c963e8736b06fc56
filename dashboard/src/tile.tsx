import type { ComponentChildren } from "preact";
import type { Answer } from "./use-answer.js";

/** A titled box that says what it is waiting for or why it failed, and shows its answer otherwise. */
export function Tile<T>(p: {
  title: string;
  id: string;
  answer: Answer<T>;
  wide?: boolean;
  head?: ComponentChildren;
  children: (value: T) => ComponentChildren;
}) {
  return (
    <section class={`tile${p.wide ? " wide" : ""}`} data-testid={p.id} data-state={p.answer.state} aria-busy={p.answer.state === "loading"}>
      <h2>{p.title}</h2>
      {p.head}
      {p.answer.state === "loading" && <p class="muted">Loading…</p>}
      {p.answer.state === "failed" && <p class="error">Could not load: {p.answer.reason}</p>}
      {p.answer.state === "ready" && p.children(p.answer.value)}
    </section>
  );
}

/** What an empty answer means, in words. */
export function Empty(p: { children: ComponentChildren }) {
  return <p class="muted empty">{p.children}</p>;
}
