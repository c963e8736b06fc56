// Builds the engine's entry points into dist/ (one ES module each, our code
// bundled, packages left to node_modules): production runs them with plain
// node (`npm start`, the image), with no TypeScript loader in the process.
// Usage: node scripts/build-engine.mjs
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDashboard } from "./build-dashboard.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const engineEntries = {
  "server-main": "main/server-main.ts",
  "worker-main": "main/worker-main.ts",
  "keys-cli": "main/keys-cli.ts",
  "dead-letters-cli": "main/dead-letters-cli.ts",
};

export async function buildEngine() {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    // An install without devDependencies (npm ci --omit=dev) runs what was built before it.
    if (Object.keys(engineEntries).every((name) => existsSync(join(root, "dist", `${name}.js`)))) return "kept";
    throw new Error("esbuild is not installed and dist/ holds no build: run `npm ci` (with devDependencies), then `npm run build`");
  }
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: engineEntries,
    outdir: "dist",
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked", // node --enable-source-maps maps stack traces back to the sources
    logLevel: "warning",
  });
  await buildDashboard(esbuild);
  return "built";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildEngine().then(
    (how) => how === "kept" && console.error("build-engine: esbuild not installed; using the existing dist/"),
    (e) => {
      console.error(`build-engine: ${e.message}`);
      process.exit(1);
    },
  );
}
