// Cleans up servers orphaned by a previous run that died without teardown
// (SIGKILL, OOM, a crashed worker): a process can't clean up after SIGKILL itself.
import { readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TEMP_PREFIX = "insightplus-";
const OWNER_FILE = ".owner-pid";

/** Records which process owns a temp dir, so later runs can tell whether it is stale. */
export function markOwner(dir: string): void {
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isStale(dir: string): boolean {
  try {
    return !alive(Number(readFileSync(join(dir, OWNER_FILE), "utf8")));
  } catch {
    // No owner file: either being created right now, or from a crashed run.
    return Date.now() - statSync(dir).mtimeMs > 60_000;
  }
}

/**
 * Every server is spawned with cwd inside its temp dir (postgres chdirs to its data
 * dir under it), so /proc/PID/cwd identifies them without trusting recorded PIDs,
 * which the OS may have reused.
 */
export function sweepOrphans(): void {
  if (process.platform !== "linux") return;
  const base = tmpdir();
  const stale = readdirSync(base)
    .filter((n) => n.startsWith(TEMP_PREFIX))
    .map((n) => join(base, n))
    .filter(isStale);
  if (!stale.length) return;
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue; // gone, or not ours to inspect
    }
    if (stale.some((d) => cwd === d || cwd.startsWith(`${d}/`))) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }
  for (const d of stale) rmSync(d, { recursive: true, force: true });
  console.warn(`[test-services] removed ${stale.length} stale dir(s) and their servers from a previous run`);
}
