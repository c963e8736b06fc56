// The env → container → local decision, shared by every service module.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ProvidedService, ServiceName } from "./types.js";

const run = promisify(execFile);
const INSTALL_SCRIPT = fileURLToPath(new URL("../../../scripts/install-services.sh", import.meta.url));

let dockerProbe: Promise<boolean> | undefined;

/** True when a Docker engine answers `docker info` within 5s. TEST_DOCKER=0 skips the probe. */
export function dockerAvailable(): Promise<boolean> {
  if (process.env.TEST_DOCKER === "0") return Promise.resolve(false);
  dockerProbe ??= run("docker", ["info"], { timeout: 5_000 }).then(
    () => true,
    () => false,
  );
  return dockerProbe;
}

/** First executable among absolute paths or names looked up on PATH (+ sbin dirs, which root-less PATHs miss). */
export function findBinary(candidates: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/bin", "/usr/local/bin"];
  for (const c of candidates) {
    for (const p of c.startsWith("/") ? [c] : dirs.map((d) => join(d, c))) {
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        /* try next */
      }
    }
  }
  return undefined;
}

/** Finds a binary, running scripts/install-services.sh for `service` once if it is missing. */
export async function ensureBinary(service: ServiceName, find: () => string | undefined): Promise<string> {
  const found = find();
  if (found) return found;
  console.log(`[test-services] ${service}: binary missing, running scripts/install-services.sh ${service}`);
  await run("bash", [INSTALL_SCRIPT, service], { timeout: 10 * 60_000, maxBuffer: 64 << 20 });
  const after = find();
  if (!after) throw new Error(`${service}: still not found after scripts/install-services.sh`);
  return after;
}

export interface ProvideStrategy {
  fromEnv(): string | undefined;
  container(): Promise<ProvidedService>;
  local(): Promise<ProvidedService>;
}

/** env URL wins; else a container if Docker answers (falling back if e.g. the image can't be pulled); else local. */
export async function provideWith(name: ServiceName, s: ProvideStrategy): Promise<ProvidedService> {
  const url = s.fromEnv();
  if (url) return { url, source: "env", stop: async () => {} };
  if (await dockerAvailable()) {
    try {
      return await s.container();
    } catch (err) {
      console.warn(`[test-services] ${name}: container failed (${(err as Error).message}); using local binary`);
    }
  }
  return s.local();
}

/** Wraps a stop function so calling it twice is harmless. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
