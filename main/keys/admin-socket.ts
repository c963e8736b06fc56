import { chmodSync, rmSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { json } from "node:stream/consumers";
import type { Logger } from "pino";
import type { AdminService } from "../../access/admin-service.js";
import { isDomainError } from "../../core/errors/domain-errors.js";
import { type KeysCommand, runKeysCommand } from "./keys-commands.js";

/**
 * The embedded databases (PGlite, chdb) can be open in one process only, so
 * while the engine runs, `npm run keys` asks it through a Unix socket in
 * DATA_DIR. The socket is readable by the data directory's owner alone
 * (mode 0600): whoever can use it can read the data files anyway.
 */
export const adminSocketPath = (dataDir: string) => join(dataDir, "admin.sock");

/** Unix socket paths are limited to about 107 bytes. */
const longestSocketPath = 100;

export async function listenAdminSocket(dataDir: string, admin: AdminService, logger: Logger): Promise<{ close(): Promise<void> } | undefined> {
  const path = adminSocketPath(dataDir);
  if (Buffer.byteLength(path) > longestSocketPath) {
    logger.info({ path }, "DATA_DIR's path is too long for the admin socket: stop the engine to run npm run keys");
    return undefined;
  }
  rmSync(path, { force: true }); // left by an engine that did not stop cleanly; this process holds the data dir now
  const server = http.createServer(async (req, res) => {
    const [status, body] = await answer(admin, req);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  // Made owner-only from the start (umask), not after: no moment where the group could connect.
  const umask = process.umask(0o077);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(path, { force: true });
      }),
  };
}

async function answer(admin: AdminService, req: http.IncomingMessage): Promise<[number, unknown]> {
  if (req.method !== "POST" || req.url !== "/keys") return [404, { error: { message: "POST /keys only" } }];
  try {
    const command = (await json(req)) as KeysCommand;
    return [200, { result: await runKeysCommand(admin, command) }];
  } catch (e) {
    if (isDomainError(e)) return [400, { error: { kind: e.kind, message: e.message } }];
    return [500, { error: { message: (e as Error).message } }];
  }
}

/** Sends a command to the engine running on `dataDir`; resolves with its result, rejects with its message. */
export function sendKeysCommand(dataDir: string, command: KeysCommand): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: adminSocketPath(dataDir), path: "/keys", method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        json(res).then((answer) => {
          const { result, error } = answer as { result?: unknown; error?: { message: string } };
          if (error) reject(new Error(error.message));
          else resolve(result);
        }, reject);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(command));
  });
}
