// Builds the dashboard into dist/dashboard/: one minified ES module (Preact, Chart.js, the Connect
// client and the generated API code), its stylesheet and the page. `npm start` and `npm run build`
// run it (through build-engine.mjs); nothing built is committed.
// Usage: node scripts/build-dashboard.mjs
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const dashboardOut = join(root, "dist", "dashboard");

export async function buildDashboard(esbuild) {
  await mkdir(dashboardOut, { recursive: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { app: "dashboard/src/main.tsx" },
    outdir: dashboardOut,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: ["chrome100", "firefox100", "safari15"],
    jsx: "automatic",
    jsxImportSource: "preact",
    define: { "process.env.NODE_ENV": '"production"' },
    sourcemap: "linked",
    logLevel: "warning",
  });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { app: "dashboard/src/dashboard.css" },
    outdir: dashboardOut,
    bundle: true,
    minify: true,
    logLevel: "warning",
  });
  await copyFile(join(root, "dashboard", "index.html"), join(dashboardOut, "index.html"));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildDashboard(await import("esbuild")).catch((e) => {
    console.error(`build-dashboard: ${e.message}`);
    process.exit(1);
  });
}
