import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildMessage, ParentMessage } from "./child-ipc.js";

export interface BenchChild {
  name: string;
  port: number;
  url: string;
  /** CPU time (user + system) the child has used so far, in microseconds. */
  cpuMicros(): Promise<number>;
  /** Asks the child to stop; kills it if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Starts `node --import tsx <file>` (a bench child script) with an IPC channel and waits for its port. */
export async function spawnChild(
  name: string,
  file: URL,
  env: Record<string, string>,
  opts: { cpuProfDir?: string; startTimeoutMs?: number } = {},
): Promise<BenchChild> {
  // One profile per thread (tsx's loader runs in a worker): default names, CPU.<date>.<time>.<pid>.<tid>.<seq>.
  const prof = opts.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...prof, "--import", "tsx", fileURLToPath(file)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", 2, 2, "ipc"], // child logs go to stderr, keeping stdout for the report
  });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const waiters = new Map<number, (micros: number) => void>();
  let nextId = 0;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after ${opts.startTimeoutMs ?? 30_000} ms`)), opts.startTimeoutMs ?? 30_000);
    child.on("message", (m: ChildMessage) => {
      if (m.type === "ready") resolve(m.port);
      if (m.type === "failed") reject(new Error(`${name} failed to start: ${m.error}`));
      if (m.type === "cpu") waiters.get(m.id)?.(m.micros);
      if (m.type !== "cpu") clearTimeout(timer);
    });
    void exited.then(() => reject(new Error(`${name} exited before it was ready`)));
  }).catch(async (e: unknown) => {
    child.kill("SIGKILL");
    throw e;
  });
  const send = (m: ParentMessage) => {
    if (child.connected) child.send(m);
  };
  let stopped: Promise<void> | undefined;
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    cpuMicros() {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no CPU answer`)), 5000);
        waiters.set(id, (micros) => {
          clearTimeout(timer);
          waiters.delete(id);
          resolve(micros);
        });
        send({ type: "cpu", id });
      });
    },
    stop(graceMs = 10_000) {
      stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        send({ type: "stop" });
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
