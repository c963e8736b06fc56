import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, inject, it } from "vitest";
import { postJson } from "../support/http-client.js";
import { freePort } from "../support/ports.js";
import { createStreamReader } from "../support/stream-reader.js";
import { testKeyEnv } from "../support/test-keys.js";
import { waitUntil } from "../support/wait.js";

/** Every process below `pid` (its children, theirs, …). */
function descendants(pid: number): number[] {
  const out = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split("\n")) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? [];
    all.push(...next);
    queue.push(...next);
  }
  return all;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// `docker stop` sends SIGTERM to the container's first process; with `npm start`
// as the command, that is npm. The engine must get the signal, drain, and be gone.
describe("npm start", () => {
  it("passes SIGTERM to the engine: it drains, npm exits 0, and no process is left", async () => {
    const port = await freePort();
    const stream = await createStreamReader();
    const npm = spawn("npm", ["start"], {
      env: {
        ...process.env,
        ...testKeyEnv,
        REDIS_URL: inject("redisUrl"),
        REDIS_QUEUE: stream.streamKey,
        INPROCESS_WORKER: "false",
        HOST: "127.0.0.1",
        PORT: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    npm.stdout.on("data", (d: Buffer) => (output += d));
    npm.stderr.on("data", (d: Buffer) => (output += d));
    const exited = once(npm, "exit");
    try {
      await waitUntil("npm start to serve", async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, { timeoutMs: 60_000 });
      const res = await postJson(`http://127.0.0.1:${port}/api/v1/capture`, { event: "page_view", distinctId: "before-sigterm" });
      expect(res.status).toBe(200);
      const below = descendants(npm.pid!);
      expect(below.length).toBeGreaterThan(0);

      npm.kill("SIGTERM");
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(output).toContain('"msg":"shutting down: finishing what is in hand"');
      expect(output).toContain('"msg":"stopped"');
      expect(below.filter(alive)).toEqual([]);
      expect((await stream.events()).map((e) => e.distinctId)).toEqual(["before-sigterm"]);
    } finally {
      if (npm.exitCode === null) npm.kill("SIGKILL");
      await stream.close();
    }
  }, 90_000);
});
