import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { testKeys } from "../support/test-keys.js";

// The README's Node snippet, run as a reader would paste it: as an ES module
// from the repository root, after `npm ci` (the SDK is a workspace there).
function readmeNodeSnippet(): string {
  const readme = readFileSync("README.md", "utf8");
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((code) => code.includes('"@insightplus/sdk/node"'));
  if (!block) throw new Error("README.md has no ```ts block importing @insightplus/sdk/node");
  return block;
}

let server: InProcessServer;
beforeAll(async () => {
  server = await startInProcessServer();
});
afterAll(async () => {
  await server.close();
});

describe("the README's Node SDK snippet", () => {
  it("runs from the repository root and delivers its event", async () => {
    const snippet = readmeNodeSnippet();
    expect(snippet).toContain("http://localhost:7002");
    expect(snippet).toContain('apiKey: "ipw_your_write_key"');
    // Not spawnSync: the server answering it runs in this process.
    const child = spawn(process.execPath, ["--input-type=module"], { cwd: process.cwd(), stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.stdin.end(snippet.replaceAll("http://localhost:7002", server.url).replaceAll("ipw_your_write_key", testKeys.write));
    const [code] = await once(child, "exit");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const events = await server.streamEvents();
    expect(events.map((e) => [e.event, e.distinctId, JSON.parse(e.propertiesJson)])).toEqual([["user_registered", "user_123", { plan: "free" }]]);
  });
});
