import type { RedisClient } from "./redis-client.js";
import type { StreamLayout } from "./stream-layout.js";

// Raises the recorded count to ARGV[1], never lowers it; returns what is recorded afterwards.
const raiseScript = `local c = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = tonumber(ARGV[1])
if c < n then redis.call('SET', KEYS[1], n) return n end
return c`;

interface RaiseCommand {
  raisePartitions(key: string, partitions: number): Promise<number>;
}

/**
 * The most partitions any server has written to, kept in Redis: a server
 * records its count before it queues anything, and workers read that many
 * (at least), so a worker configured with fewer partitions than a server —
 * in the middle of changing QUEUE_PARTITIONS, or by mistake — strands nothing.
 * Made with the client, before it sends anything: an ioredis pipeline copies
 * the scripts defined when it is made, and a script called through an
 * auto-pipeline made before it was defined crashes the process ("results[i]
 * is not iterable").
 */
export function partitionRecorder(redis: RedisClient, layout: StreamLayout): () => Promise<number> {
  // Defined with its key first: a cluster's auto-pipelining routes a command by its first argument.
  if (!("raisePartitions" in redis)) redis.defineCommand("raisePartitions", { lua: raiseScript, numberOfKeys: 1 });
  return () => (redis as RedisClient & RaiseCommand).raisePartitions(layout.partitionsKey, layout.partitions);
}

/** How many partitions there may be events in: the recorded count or this process's own, whichever is more. */
export async function partitionsInUse(redis: RedisClient, layout: StreamLayout): Promise<number> {
  const recorded = Number((await redis.get(layout.partitionsKey)) ?? 0);
  // 1024: the most QUEUE_PARTITIONS allows; anything above is not a count a server wrote.
  return Number.isSafeInteger(recorded) && recorded > layout.partitions && recorded <= 1024 ? recorded : layout.partitions;
}

/** The layout with every partition there may be events in (partitionsInUse). */
export async function layoutInUse(redis: RedisClient, layout: StreamLayout): Promise<StreamLayout> {
  return layout.withPartitions(await partitionsInUse(redis, layout));
}
