import { statfsSync } from "node:fs";

/**
 * Free space of the disk holding a directory, read at most every `everyMs`
 * (a statfs each request would cost more than the check is worth).
 */
export function createDiskRoom(dir: string, everyMs = 500): { freeBytes(): number } {
  let checkedAt = 0;
  let free = Number.POSITIVE_INFINITY;
  return {
    freeBytes() {
      const now = Date.now();
      if (now - checkedAt >= everyMs) {
        checkedAt = now;
        try {
          const s = statfsSync(dir);
          free = s.bavail * s.bsize;
        } catch {
          free = Number.POSITIVE_INFINITY; // no answer: the writes themselves will say
        }
      }
      return free;
    },
  };
}
