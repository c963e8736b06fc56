import type { PersonChange } from "../core/events/person-change.js";

/** One property of one person, as both databases keep it. */
export interface PersonPropertyRow {
  projectId: string;
  distinctId: string;
  key: string;
  setOnce: boolean;
  /** The value as JSON text. */
  value: string;
  atMs: number;
}

export interface PersonLinkRow {
  projectId: string;
  distinctId: string;
  linkedId: string;
  atMs: number;
}

/**
 * A batch's person changes as rows, one per (person, property, kind): the
 * latest $set and the earliest $set_once of the batch (a database upsert may
 * not touch one row twice in a statement; the database then keeps the
 * latest / earliest across batches).
 */
export function personRowsOf(changes: readonly PersonChange[]): { properties: PersonPropertyRow[]; links: PersonLinkRow[] } {
  const properties = new Map<string, PersonPropertyRow>();
  const links = new Map<string, PersonLinkRow>();
  for (const c of changes) {
    for (const [setOnce, values] of [
      [false, c.set],
      [true, c.setOnce],
    ] as const) {
      for (const [key, v] of Object.entries(values)) {
        const id = JSON.stringify([c.projectId, c.distinctId, key, setOnce]);
        const held = properties.get(id);
        const newer = !held || (setOnce ? c.atMs < held.atMs : c.atMs >= held.atMs);
        if (newer) properties.set(id, { projectId: c.projectId, distinctId: c.distinctId, key, setOnce, value: JSON.stringify(v ?? null), atMs: c.atMs });
      }
    }
    for (const linkedId of c.linked) {
      links.set(JSON.stringify([c.projectId, c.distinctId, linkedId]), { projectId: c.projectId, distinctId: c.distinctId, linkedId, atMs: c.atMs });
    }
  }
  // In one order for every batch: two batches written at once lock their rows in the same order (no deadlock).
  const byId = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return { properties: byId(properties), links: byId(links) };
}

/** A person's properties from their rows: a $set value wins over a $set_once one. */
export function personOf(rows: ReadonlyArray<{ key: string; setOnce: boolean; value: string }>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of [...rows].sort((a, b) => Number(b.setOnce) - Number(a.setOnce))) out[r.key] = JSON.parse(r.value);
  return out;
}
