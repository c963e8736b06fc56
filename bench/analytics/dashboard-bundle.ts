import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { table } from "../shared/report.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** Where `node scripts/build-dashboard.mjs` writes the dashboard. */
export const dashboardDist = path.join(repoRoot, "dist", "dashboard");
const counted = new Set([".js", ".css", ".html"]);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : counted.has(path.extname(e.name)) ? [full] : [];
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/**
 * What a browser downloads for the dashboard: every .js, .css and .html file
 * of the build, raw and gzipped at level 9 (what a compressing server or CDN
 * serves; source maps are never fetched by users, so they are left out).
 * Without a build, one line saying so: the bench measures the rest anyway.
 */
export function bundleReport(): string[] {
  if (!existsSync(dashboardDist))
    return [`dashboard bundle: skipped, ${path.relative(repoRoot, dashboardDist)}/ does not exist (node scripts/build-dashboard.mjs builds it)`];
  const files = filesUnder(dashboardDist)
    .map((f) => {
      const raw = readFileSync(f);
      return { name: path.relative(dashboardDist, f), raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
    })
    .sort((a, b) => b.gzip - a.gzip);
  if (files.length === 0) return [`dashboard bundle: ${path.relative(repoRoot, dashboardDist)}/ has no .js, .css or .html file`];
  const total = { raw: files.reduce((s, f) => s + f.raw, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
  return [
    `dashboard bundle: ${path.relative(repoRoot, dashboardDist)}/, ${files.length} files (gzip level 9, node:zlib)`,
    "",
    table(
      ["File", "Raw", "Gzip"],
      [...files.map((f) => [f.name, kb(f.raw), kb(f.gzip)]), ["total", kb(total.raw), `${kb(total.gzip)} (${total.gzip.toLocaleString("en-US")} bytes)`]],
    ),
  ];
}
