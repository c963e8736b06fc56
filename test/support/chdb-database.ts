import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestDatabase } from "./databases.js";

// chdb (current ClickHouse, embedded, ~550 MB) is installed by .ci/run only,
// so the same SQL is checked on ClickHouse 18.16 and on a current release.
const require = createRequire(import.meta.url);

export function chdbInstalled(): boolean {
  try {
    require.resolve("chdb/connection");
    return true;
  } catch {
    return false;
  }
}

export function createChdbDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), "insightplus-chdb-"));
  return { kind: "chdb", env: { DATABASE_TYPE: "chdb", DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
