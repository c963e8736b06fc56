import { readFileSync } from "node:fs";
import * as esbuild from "esbuild";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { engineEntries } from "../../scripts/build-engine.mjs";

// No Docker engine runs here, so the image is not built in CI: this checks what
// its build needs, that every folder of ours the entry points bundle is copied in.
describe("the Dockerfile", () => {
  it("copies every folder the engine's entry points are built from", async () => {
    const result = await esbuild.build({
      entryPoints: engineEntries,
      bundle: true,
      packages: "external",
      platform: "node",
      format: "esm",
      write: false,
      metafile: true,
      outdir: "dist",
    });
    const folders = new Set(Object.keys(result.metafile.inputs).map((path) => path.split("/")[0]));
    const copied = new Set([...readFileSync("Dockerfile", "utf8").matchAll(/^COPY (\w+) \.\/\1$/gm)].map((m) => m[1]));
    expect([...folders].filter((f) => !copied.has(f)).sort()).toEqual([]);
  });

  it("copies what the dashboard is built from, and the build script", () => {
    const dockerfile = readFileSync("Dockerfile", "utf8");
    expect(dockerfile).toMatch(/^COPY dashboard \.\/dashboard$/m);
    expect(dockerfile).toMatch(/^COPY .*scripts\/build-dashboard\.mjs.* \.\/scripts\/$/m);
  });
});

describe("the image and the compose file, for production", () => {
  const dockerfile = readFileSync("Dockerfile", "utf8");
  const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const compose = parse(readFileSync("docker-compose.yml", "utf8")) as {
    services: Record<
      string,
      {
        ports?: string[];
        command?: string[];
        healthcheck?: { disable?: boolean; test?: string[] };
        depends_on?: Record<string, { condition: string }>;
        environment?: Record<string, string>;
      }
    >;
  };

  it("runs the engine as an unprivileged user, healthy when /readyz answers", () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime.indexOf("USER node")).toBeLessThan(runtime.indexOf("CMD ["));
    expect(runtime).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \[.*\/readyz/m);
  });

  it("publishes the server's port only, and starts the engine once its services are healthy", () => {
    const published = Object.entries(compose.services)
      .filter(([, s]) => s.ports?.length)
      .map(([name]) => name);
    expect(published).toEqual(["server"]);
    for (const name of ["redis", "clickhouse", "postgres"]) expect(compose.services[name].healthcheck?.test, name).toBeDefined();
    for (const name of ["server", "worker"]) {
      expect(
        Object.values(compose.services[name].depends_on ?? {}).every((d) => d.condition === "service_healthy"),
        name,
      ).toBe(true);
    }
  });

  it("runs Redis with a password and AOF, and the engine connects with it", () => {
    const redis = compose.services.redis.command ?? [];
    expect(redis).toEqual(expect.arrayContaining(["--appendonly", "yes", "--requirepass"]));
    const password = redis[redis.indexOf("--requirepass") + 1];
    expect(password).toBeTruthy();
    // As written, before compose substitutes ${REDIS_PASSWORD:-…}: the same expression in both places.
    expect(decodeURIComponent(new URL(compose.services.server.environment?.REDIS_URL ?? "").password)).toBe(password);
  });
});
