// Spawning and tracking local server processes. Every child and temp dir is
// registered so a crashed or aborted run still kills/removes them on exit.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markOwner, sweepOrphans, TEMP_PREFIX } from "./orphan-sweep.js";

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHooked = false;

function cleanupSync(): void {
  for (const child of liveChildren) child.kill("SIGKILL");
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* e.g. a dying postgres backend still writing; the next run's sweep removes it */
    }
  }
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  sweepOrphans();
  // Prepended: vitest's own exit/signal listeners call process.exit(), which skips
  // any listener after them. 'exit' handlers must be sync: SIGKILL and rmSync are.
  process.prependListener("exit", cleanupSync);
  // A signal skips 'exit' when nobody handles it, so clean up here too, then
  // re-raise if no one else listens, keeping the default die-on-signal behaviour.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.prependOnceListener(sig, () => {
      cleanupSync();
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

export function makeTempDir(name: string): string {
  hookExit();
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${name}-`));
  markOwner(dir);
  liveDirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

export interface TrackedChild {
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
}

/** Spawns a server (attached, not detached) with stdout+stderr going to logFile. */
export function spawnTracked(
  cmd: string,
  args: string[],
  opts: { cwd: string; logFile: string; uid?: number; gid?: number; env?: NodeJS.ProcessEnv },
): TrackedChild {
  hookExit();
  const fd = openSync(opts.logFile, "a");
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    uid: opts.uid,
    gid: opts.gid,
    detached: false,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  liveChildren.add(child);
  const exited = new Promise<void>((res) => {
    child.once("exit", () => res());
    child.once("error", () => res());
  }).finally(() => liveChildren.delete(child));
  return { child, logFile: opts.logFile, exited };
}

export function isRunning(t: TrackedChild): boolean {
  return t.child.exitCode === null && t.child.signalCode === null && liveChildren.has(t.child);
}

/** Sends `signal`, escalating to SIGKILL after graceMs. Resolves once the process is gone. */
export async function stopChild(t: TrackedChild, signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<void> {
  if (!isRunning(t)) return t.exited;
  t.child.kill(signal);
  const timer = setTimeout(() => t.child.kill("SIGKILL"), graceMs);
  await t.exited;
  clearTimeout(timer);
}

export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** For waitUntil: gives up at once, with the log's tail, when the process has exited. */
export function exitedWithLog(proc: TrackedChild): () => string | undefined {
  return () =>
    isRunning(proc)
      ? undefined
      : `process exited before becoming ready
--- ${proc.logFile} ---
${logTail(proc.logFile)}`;
}
