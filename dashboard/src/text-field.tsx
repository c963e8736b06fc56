import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

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
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft !== value) onCommit(draft);
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
        if (e.key === "Enter") commit();
      }}
    />
  );
}
