// Builds the package: the browser bundle (IIFE global `insightplus`, minified,
// the file a <script> tag loads), ESM entry points for bundlers and Node, and
// type declarations. Usage: node scripts/build.mjs [--no-types]

import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const sdkDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = (p) => join(sdkDir, "src", p);
const out = (p) => join(sdkDir, "dist", p);

/** esbuild options of the minified browser bundle (the size the bench reports). */
export function browserBundleOptions(outfile = out("insightplus.browser.min.js")) {
  return {
    entryPoints: [src("browser/index.ts")],
    outfile,
    bundle: true,
    minify: true,
    format: "iife",
    globalName: "insightplus",
    target: ["es2020"],
    platform: "browser",
    legalComments: "none",
    logLevel: "warning",
  };
}

export async function buildAll({ types = true } = {}) {
  await build(browserBundleOptions());
  await build({ ...browserBundleOptions(out("insightplus.browser.esm.min.js")), format: "esm", globalName: undefined });
  await build({
    entryPoints: [src("browser/index.ts")],
    outfile: out("browser/index.js"),
    bundle: true,
    format: "esm",
    target: ["es2020"],
    platform: "browser",
    logLevel: "warning",
  });
  // Split so the Connect/gRPC transport (and its optional peer imports) is a chunk loaded on first use.
  await build({
    entryPoints: [src("node/index.ts")],
    outdir: out("node"),
    splitting: true,
    bundle: true,
    format: "esm",
    target: ["node20"],
    platform: "node",
    packages: "external",
    logLevel: "warning",
  });
  if (types) {
    const tsc = join(sdkDir, "node_modules", ".bin", "tsc");
    const args = ["-p", join(sdkDir, "tsconfig.build.json")];
    try {
      execFileSync(tsc, args, { stdio: "inherit" });
    } catch (e) {
      if (e.code !== "ENOENT") throw e;
      execFileSync("npx", ["--no-install", "tsc", ...args], { stdio: "inherit", cwd: sdkDir });
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildAll({ types: !process.argv.includes("--no-types") });
  console.log("built sdk/dist");
}
