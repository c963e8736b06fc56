import { useState } from "preact/hooks";
import { createApi, reasonOf } from "./api.js";
import { type SavedKey, saveKey } from "./session.js";

/** Asks for a read key and checks it against the API before keeping it for this tab. */
export function Login(p: { onLogin: (k: SavedKey) => void; note?: string }) {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const [checking, setChecking] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setChecking(true);
    setProblem(undefined);
    try {
      const project = await createApi(key.trim()).getCurrentProject({});
      const saved = { projectId: project.projectId, name: project.name, key: key.trim() };
      saveKey(saved);
      p.onLogin(saved);
    } catch (err) {
      setProblem(reasonOf(err));
    } finally {
      setChecking(false);
    }
  }
  return (
    <form class="login" onSubmit={submit} data-testid="login">
      <h1>InsightPlus</h1>
      <p>Enter a project's read key (ipr_…). It is kept for this tab only and sent in a header, never in a URL.</p>
      {p.note && <p class="muted">{p.note}</p>}
      <label>
        Read key
        <input type="password" autocomplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} name="read-key" required />
      </label>
      <button type="submit" disabled={checking || key.trim() === ""}>
        {checking ? "Checking…" : "Open dashboard"}
      </button>
      {problem && (
        <p class="error" role="alert" data-testid="login-error">
          {problem}
        </p>
      )}
    </form>
  );
}
