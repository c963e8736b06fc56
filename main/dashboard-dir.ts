import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where `npm run build` put the dashboard: dist/dashboard, beside the bundled
 * entry points (dist/*.js) or above these sources (tests and `npm run dev`).
 */
export function builtDashboardDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, "dashboard"), join(here, "..", "dist", "dashboard")].find((dir) => existsSync(join(dir, "index.html")));
}
