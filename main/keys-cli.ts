import pino from "pino";
import { createAdminService } from "../access/admin-service.js";
import { type KeyChangeChannel, noKeyChangeChannel } from "../core/access/key-change-channel.js";
import { type Config, loadConfig } from "../core/config/config.js";
import { ConfigError } from "../core/errors/config-error.js";
import { keyChangesChannel } from "../queue/open-queue.js";
import { createRedisClient, redisTarget } from "../queue/redis/redis-client.js";
import { createRedisKeyChangeChannel } from "../queue/redis/redis-key-change-channel.js";
import { migrationLock } from "../queue/redis/redis-lock.js";
import { openDatabase } from "../storage/open-database.js";
import { configuredKeyring } from "./configured-access.js";
import { sendKeysCommand } from "./keys/admin-socket.js";
import { type KeysCommand, keysUsage, parseKeysCommand, runKeysCommand } from "./keys/keys-commands.js";
import { describeResult } from "./keys/keys-output.js";

/**
 * `npm run keys -- <command>`: projects and keys. Works on the configured
 * database directly (and tells every running server over Redis); an embedded
 * database held by a running engine is reached through its admin socket.
 */
async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || ["help", "--help", "-h"].includes(argv[0])) {
    console.log(keysUsage);
    return argv.length === 0 ? 2 : 0;
  }
  let command: KeysCommand;
  try {
    command = parseKeysCommand(argv);
  } catch (e) {
    console.error(`keys: ${(e as Error).message}\n\n${keysUsage}`);
    return 2;
  }
  const config = loadConfig();
  const result = await run(config, command);
  console.log(command.options.json === true ? JSON.stringify(result, null, 2) : describeResult(command, result));
  return 0;
}

async function run(config: Config, command: KeysCommand): Promise<unknown> {
  const db = config.database;
  if (db.type === "pglite" || db.type === "chdb") {
    const viaEngine = await sendKeysCommand(db.dataDir, command).then(
      (result) => ({ result }),
      (e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT" || e.code === "ECONNREFUSED") return undefined; // no engine running: open the files here
        throw e;
      },
    );
    if (viaEngine) return viaEngine.result;
  }
  const logger = pino({ level: "warn" });
  const database = await openDatabase(db, logger, { retryAfterSeconds: config.retryAfterSeconds, exclusively: migrationLock(config, logger) });
  const target = redisTarget(config);
  const redis = target ? createRedisClient(target, logger, "redis", { autoPipelining: false }) : undefined;
  try {
    const changes: KeyChangeChannel =
      redis && target ? createRedisKeyChangeChannel({ redis, target, channel: keyChangesChannel(config.streamKey), logger }) : noKeyChangeChannel;
    if (redis) await redis.ping().catch(() => undefined); // connect before announcing (no offline queue)
    const keyring = configuredKeyring(config, async () => database.access, logger);
    const admin = createAdminService({ storage: async () => database, keyring, changes });
    return await runKeysCommand(admin, command);
  } finally {
    redis?.disconnect();
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`keys: ${e instanceof ConfigError ? `invalid configuration: ${e.message}` : (e as Error).message}`);
    process.exit(e instanceof ConfigError ? 2 : 1);
  },
);
