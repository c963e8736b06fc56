import type { JSX } from "preact";
import { useState } from "preact/hooks";

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "onInput" | "onBlur" | "onKeyDown">;

/**
 * A text field that applies its value when the user is done with it (Enter,
 * change, leaving the field), not on every keystroke: each would ask the API.
 * What is being typed is the field's own, so a redraw caused by another field
 * never wipes it.
 */
export function TextField(p: InputProps & { value: string; onCommit: (value: string) => void; commitOnChange?: boolean }) {
  const { value, onCommit, commitOnChange = true, ...rest } = p;
  const [draft, setDraft] = useState(value);
  // A new value from outside replaces the draft, in the same render. (An effect would run after paint, and
  // a field just added would wipe what was typed into it meanwhile: the browser test lost a filter so.)
  const [shownValue, setShownValue] = useState(value);
  if (value !== shownValue) {
    setShownValue(value);
    setDraft(value);
  }
  // What the field shows, read from the field itself: an event that follows the typing at once (leaving
  // the field, Enter) can run before the render that would have given this closure the new draft.
  const commit = (e: { currentTarget: HTMLInputElement }) => {
    const shown = e.currentTarget.value;
    if (shown !== value) onCommit(shown);
  };
  return (
    <input
      {...rest}
      value={draft}
      onInput={(e) => setDraft(e.currentTarget.value)}
      // A date field changes at every digit typed: it commits on Enter and on leaving it only.
      onChange={commitOnChange ? commit : undefined}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") commit(e);
      }}
    />
  );
}
