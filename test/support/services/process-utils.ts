// Spawning and tracking local server processes. Every child and temp dir is
// registered so a crashed or aborted run still kills/removes them on exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markOwner, sweepOrphans, TEMP_PREFIX } from './orphan-sweep.js';

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHooked = false;

function cleanupSync(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
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
  process.prependListener('exit', cleanupSync);
  // A signal skips 'exit' when nobody handles it, so clean up here too, then
  // re-raise if no one else listens, keeping the default die-on-signal behaviour.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
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

/** Asks the OS for `count` distinct free loopback ports (port 0 trick). */
export async function freePorts(count = 1): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise<void>((res, rej) => srv.once('error', rej).listen(0, '127.0.0.1', res));
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  }
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
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    uid: opts.uid,
    gid: opts.gid,
    detached: false,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  liveChildren.add(child);
  const exited = new Promise<void>((res) => {
    child.once('exit', () => res());
    child.once('error', () => res());
  }).finally(() => liveChildren.delete(child));
  return { child, logFile: opts.logFile, exited };
}

export function isRunning(t: TrackedChild): boolean {
  return t.child.exitCode === null && t.child.signalCode === null && liveChildren.has(t.child);
}

/** Sends `signal`, escalating to SIGKILL after graceMs. Resolves once the process is gone. */
export async function stopChild(t: TrackedChild, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (!isRunning(t)) return t.exited;
  t.child.kill(signal);
  const timer = setTimeout(() => t.child.kill('SIGKILL'), graceMs);
  await t.exited;
  clearTimeout(timer);
}

export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `check` until true; fails early (with the log tail) if the server died. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; proc?: TrackedChild } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (await check().catch(() => false)) return;
    const dead = opts.proc && !isRunning(opts.proc);
    if (dead || Date.now() > deadline) {
      const log = opts.proc ? `\n--- ${opts.proc.logFile} ---\n${logTail(opts.proc.logFile)}` : '';
      throw new Error(`${what}: ${dead ? 'process exited' : 'timed out'} before becoming ready${log}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
