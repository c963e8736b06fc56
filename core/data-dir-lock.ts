import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./errors/config-error.js";

/**
 * An embedded database directory may be open in one process only: PGlite
 * takes no lock of its own, and a second process writing the same files
 * corrupts them. The lock file holds the owner's pid; a lock left by a dead
 * process is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, "insightplus.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = Number(readFileSync(path, "utf8").trim());
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new ConfigError("DATA_DIR", `${dir} is in use by another InsightPlus process (pid ${owner}); stop it or use another DATA_DIR`);
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new ConfigError("DATA_DIR", `cannot lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
