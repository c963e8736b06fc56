/**
 * The read keys entered in this tab, by project: kept in sessionStorage, so
 * they last as long as the tab and never reach a URL, a cookie or another tab.
 */
export interface SavedKey {
  projectId: string;
  name: string;
  key: string;
}

const storageKey = "insightplus.keys";
const currentKey = "insightplus.project";

export function savedKeys(): SavedKey[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(storageKey) ?? "[]");
    return Array.isArray(parsed) ? (parsed as SavedKey[]) : [];
  } catch {
    return [];
  }
}

export function saveKey(k: SavedKey): void {
  const others = savedKeys().filter((x) => x.projectId !== k.projectId);
  sessionStorage.setItem(storageKey, JSON.stringify([...others, k]));
  sessionStorage.setItem(currentKey, k.projectId);
}

export function forgetKeys(): void {
  sessionStorage.removeItem(storageKey);
  sessionStorage.removeItem(currentKey);
}

export function currentProject(): string | undefined {
  return sessionStorage.getItem(currentKey) ?? undefined;
}

export function chooseProject(projectId: string): void {
  sessionStorage.setItem(currentKey, projectId);
}
