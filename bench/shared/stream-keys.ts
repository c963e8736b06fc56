import type { Redis } from "ioredis";
import { createStreamLayout } from "../../queue/redis/stream-layout.js";

/** Every key an engine with REDIS_QUEUE=`base` writes: each partition's stream and dead letters, the single-stream layout's, and the partition count it records. */
export function streamKeysOf(base: string, partitions = 16): string[] {
  const layout = createStreamLayout({ streamKey: base, deadLetterKey: `${base}:dead`, partitions });
  return [layout.partitionsKey, ...layout.sources.flatMap((s) => [s.streamKey, s.deadLetterKey])];
}

/** Entries in every stream of `base` (dead letters not counted). */
export async function streamsLength(redis: Redis, base: string, partitions = 16): Promise<number> {
  const layout = createStreamLayout({ streamKey: base, deadLetterKey: `${base}:dead`, partitions });
  return (await Promise.all(layout.sources.map((s) => redis.xlen(s.streamKey)))).reduce((a, b) => a + b, 0);
}
