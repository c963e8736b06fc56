import { readFile } from "node:fs/promises";
import pino from "pino";
import { loadConfig } from "../core/config/config.js";
import { redactUrl } from "../core/logger.js";
import { createRedisClient, redisTarget } from "../queue/redis/redis-client.js";
import { createRedisDeadLetters } from "../queue/redis/redis-dead-letters.js";
import { streamLayoutOf } from "../queue/redis/stream-layout.js";
import { deadLettersUsage, runDeadLetters } from "./dead-letters/dead-letter-commands.js";

/** `npm run dead-letters -- list | show | replay | drop`: what the workers refused, without touching Redis by hand. */
async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || ["help", "--help", "-h"].includes(argv[0])) {
    console.log(deadLettersUsage);
    return argv.length === 0 ? 2 : 0;
  }
  const config = loadConfig();
  if (!config.redisUrl) {
    console.error(`dead-letters: REDIS_URL is not set. The embedded queue keeps what it refused in ${config.database.dataDir}/queue/dead-letters.ndjson`);
    return 2;
  }
  // A command waits for the connection rather than failing before it is made.
  const redis = createRedisClient(redisTarget(config)!, pino({ level: "silent" }), "redis", { autoPipelining: false, offlineQueue: true });
  try {
    const letters = createRedisDeadLetters(redis, streamLayoutOf(config));
    const { code, out } = await runDeadLetters(argv, { letters, readFile: (path) => readFile(path, "utf8") }).catch((e: unknown) => {
      if (redis.status === "ready") throw e;
      return { code: 1, out: `dead-letters: Redis at ${redactUrl(config.redisUrl ?? "")} cannot be reached (REDIS_URL)` };
    });
    (code === 0 ? console.log : console.error)(out);
    return code;
  } finally {
    redis.disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`dead-letters: ${(e as Error).message}`);
    process.exit(1);
  },
);
