import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config/config.js";

describe(".env.example", () => {
  it("documents every variable the configuration reads, and nothing else", () => {
    const source = readdirSync("core/config")
      .map((f) => readFileSync(`core/config/${f}`, "utf8"))
      .join("\n");
    const read = new Set([...source.matchAll(/p\.\w+(?:<[^>]+>)?\("([A-Z_]+)"/g)].map((m) => m[1]).concat(["CLICKHOUSE_PASSWORD", "POSTGRES_PASSWORD"]));
    const documented = new Set([...readFileSync(".env.example", "utf8").matchAll(/^# ([A-Z_]+)=/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual([...read].sort());
  });

  it("its defaults are the defaults the engine uses", () => {
    const env: Record<string, string> = {};
    for (const m of readFileSync(".env.example", "utf8").matchAll(/^# ([A-Z_]+)=(.*)$/gm)) if (m[2] !== "") env[m[1]] = m[2];
    // Setting these chooses the queue or database, or (ALLOWED_EVENTS) applies the list to the PostHog and Segment
    // endpoints too: their presence is a switch, so they are shown but not defaults.
    for (const name of ["REDIS_URL", "REDIS_CLUSTER_NODES", "CLICKHOUSE_HOST", "POSTGRES_HOST", "ALLOWED_EVENTS"]) delete env[name];
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });
});
