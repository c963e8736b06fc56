// Copies the generated contract the SDK needs from the repository's gen/ into
// sdk/src/gen/, so the package builds and installs without the server. A test
// (test/sdk-contract.test.ts) fails when the copy drifts from gen/.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const contractFiles = ["insightplus/v1/event_pb.ts", "insightplus/v1/capture_service_pb.ts", "google/api/annotations_pb.ts", "google/api/http_pb.ts"];

const sdkDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(sdkDir, "..", "gen");
const to = join(sdkDir, "src", "gen");

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of contractFiles) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(from, file), join(to, file));
    console.log(`copied gen/${file} -> sdk/src/gen/${file}`);
  }
}
