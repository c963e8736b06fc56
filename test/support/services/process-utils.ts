// Spawning and tracking local server processes. Every child and temp dir is
// registered so a crashed or aborted run still kills/removes them on exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // 'exit' handlers must be synchronous: SIGKILL and rmSync are.
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Fresh temp dir, removed at process exit unless removed earlier. */
export function makeTempDir(prefix: string): string {
  hookExit();
  const dir = mkdtempSync(join(tmpdir(), prefix));
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
