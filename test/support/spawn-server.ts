import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { freePorts } from "./services/process-utils.js";

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Runs `server/main.ts` in a child process, as `npm start` would, with the given environment. */
export async function spawnServer(env: Record<string, string>, opts: { waitReady?: boolean; readyTimeoutMs?: number } = {}): Promise<SpawnedServer> {
  const port = env.PORT ? Number(env.PORT) : (await freePorts(1))[0];
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: { ...process.env, LOG_LEVEL: "info", HOST: "127.0.0.1", PORT: String(port), INPROCESS_WORKER: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const url = `http://127.0.0.1:${port}`;
  if (opts.waitReady ?? true) {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
    while (!(await fetch(`${url}/readyz`).then((r) => r.ok).catch(() => false))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, url, port, output: () => out, exited };
}
