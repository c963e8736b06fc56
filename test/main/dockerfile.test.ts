import { readFileSync } from "node:fs";
import * as esbuild from "esbuild";
import { describe, expect, it } from "vitest";
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
