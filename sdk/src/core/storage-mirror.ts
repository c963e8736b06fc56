import type { BoundedQueue } from "./bounded-queue.js";
import type { QueueStorage } from "./platform.js";
import type { Reporter } from "./reporter.js";
import { InsightPlusError } from "./sdk-error.js";

/** Keeps the persisted copy of the queue in step with memory, one write per burst of changes. */
export interface StorageMirror {
  schedule(): void;
  /** Writes now; `exclude` leaves out events the browser is finishing (keepalive requests). */
  saveNow(exclude?: ReadonlySet<string>): void;
  /** True for events that live in memory only (no storage, or it had no room for them). */
  isUnpersisted(uuid: string): boolean;
  suspend(): void;
  resume(): void;
}

export function createStorageMirror(storage: QueueStorage | undefined, queue: BoundedQueue, report: Reporter): StorageMirror {
  let pending = false;
  let suspended = false;
  let unpersisted = new Set<string>();

  function saveNow(exclude?: ReadonlySet<string>): void {
    pending = false;
    if (!storage || suspended) return;
    const all = queue.items();
    const items = exclude?.size ? all.filter((i) => !exclude.has(i.uuid)) : all;
    const saved = storage.save(items);
    const wasFull = unpersisted.size > 0;
    unpersisted = new Set(items.slice(saved).map((i) => i.uuid));
    if (unpersisted.size && !wasFull) {
      report.error(
        new InsightPlusError("storage", `storage is full: ${unpersisted.size} event(s) kept in memory only (sent as usual; lost if the page closes before)`),
      );
    }
  }

  return {
    schedule() {
      if (pending || !storage || suspended) return;
      pending = true;
      queueMicrotask(() => {
        if (pending) saveNow();
      });
    },
    saveNow,
    isUnpersisted: (uuid) => !storage || unpersisted.has(uuid),
    suspend() {
      suspended = true;
    },
    resume() {
      suspended = false;
    },
  };
}
