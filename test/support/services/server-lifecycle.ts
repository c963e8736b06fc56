// kill / halt / restart / stop for a local server that keeps its port and data dir
// across restarts, so tests can simulate crashes and outages of Postgres and ClickHouse.
import { readdirSync, readFileSync } from "node:fs";
import { waitUntil } from "../wait.js";
import { isRunning, removeDir, stopChild, type TrackedChild } from "./process-utils.js";
import { once } from "./provisioning.js";

export interface RestartableServer {
  /** SIGKILL to the server and its worker processes: simulates a crash (no shutdown checkpoint/flush). */
  kill(): Promise<void>;
  /** Clean shutdown that keeps the data dir; a no-op when not running. */
  halt(): Promise<void>;
  /** Starts again on the same port and data dir (halting first if running) and waits until ready. */
  restart(): Promise<void>;
  /** Clean shutdown, then removes the data dir. Idempotent; restart() afterwards throws. */
  stop(): Promise<void>;
}

export interface ServerSpec {
  dir: string;
  spawn(): TrackedChild;
  /** Resolves once the freshly spawned process answers (waitUntil with `proc`, so a crash fails fast). */
  ready(proc: TrackedChild): Promise<void>;
  /** The signal for a clean shutdown, and how long before escalating to SIGKILL. */
  haltSignal: NodeJS.Signals;
  graceMs?: number;
}

/** PIDs whose parent is `pid` (Linux /proc; elsewhere none, and orphans are left to exit by themselves). */
function childPids(pid: number): number[] {
  if (process.platform !== "linux") return [];
  const out: number[] = [];
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      // "pid (comm) state ppid ...": comm may contain spaces and ')', so split after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(name));
    } catch {
      /* exited while we looked */
    }
  }
  return out;
}

/** Gone or a zombie (whoever inherited it may not reap promptly; a zombie holds no ports or shared memory). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/**
 * Killing only the postmaster would leave its backends attached to shared memory,
 * and the next start refuses to run until they notice and exit. So: SIGSTOP it (no
 * new forks), SIGKILL it and its children together, and wait until all are gone.
 */
async function crash(t: TrackedChild): Promise<void> {
  const pid = t.child.pid;
  if (!isRunning(t) || pid === undefined) return;
  signal(pid, "SIGSTOP");
  const kids = childPids(pid);
  for (const p of [pid, ...kids]) signal(p, "SIGKILL");
  await t.exited;
  await waitUntil(`children of killed pid ${pid} to exit`, async () => kids.every(gone), { timeoutMs: 10_000, intervalMs: 20 });
}

export function restartableServer(spec: ServerSpec): RestartableServer {
  let proc: TrackedChild | undefined;
  let removed = false;
  // One operation at a time, so e.g. stop() during restart() can't leave a server running in a removed dir.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = (fn: () => Promise<void>) => (): Promise<void> => {
    const next = queue.catch(() => {}).then(fn);
    queue = next;
    return next;
  };
  const halt = async () => {
    if (proc) await stopChild(proc, spec.haltSignal, spec.graceMs);
  };
  return {
    kill: serial(async () => {
      if (proc) await crash(proc);
    }),
    halt: serial(halt),
    restart: serial(async () => {
      if (removed) throw new Error(`${spec.dir}: restart() after stop()`);
      await halt();
      proc = spec.spawn();
      await spec.ready(proc);
    }),
    stop: once(
      serial(async () => {
        removed = true;
        await halt();
        removeDir(spec.dir);
      }),
    ),
  };
}
