import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { freePort } from "../ports.js";
import { testKeyEnv } from "../test-keys.js";
import { waitUntil } from "../wait.js";

export interface EntryProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

export interface ServerProcess extends EntryProcess {
  url: string;
  port: number;
}

const entries = { server: "main/server-main.ts", worker: "main/worker-main.ts" } as const;

/** An entry point (the engine or a standalone worker) as a child process, run from source with tsx. */
export function spawnEntry(entry: keyof typeof entries, env: Record<string, string>): EntryProcess {
  const child = spawn(process.execPath, ["--import", "tsx", entries[entry]], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, exited: once(child, "exit").then(([code]) => code as number | null) };
}

/**
 * The engine in a child process on a free port (HOST 127.0.0.1, no in-process
 * worker unless `env` says so, the test keys configured), waiting until
 * /readyz/capture answers (it can take events) unless told not to.
 */
export async function spawnServerProcess(env: Record<string, string>, opts: { waitReady?: boolean; readyTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const proc = spawnEntry("server", { ...testKeyEnv, HOST: "127.0.0.1", PORT: String(port), INPROCESS_WORKER: "false", ...env });
  const url = `http://127.0.0.1:${port}`;
  if (opts.waitReady ?? true) {
    await waitUntil(`the server at ${url}`, async () => (await fetch(`${url}/readyz/capture`)).ok, {
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      gaveUp: () => (proc.child.exitCode !== null ? `exited before it was ready:\n${proc.output()}` : undefined),
    });
  }
  return { ...proc, url, port };
}
