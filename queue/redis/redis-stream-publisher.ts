import { type ChainableCommander, Cluster } from "ioredis";
import { UnavailableError } from "../../core/errors/domain-errors.js";
import { encodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import type { EventPublisher } from "../event-queue.js";
import { partitionRecorder } from "./partition-count.js";
import type { RedisClient } from "./redis-client.js";
import { emptyIfNotStream } from "./redis-errors.js";
import type { StreamLayout } from "./stream-layout.js";

export interface RedisStreamPublisherDeps {
  /** A client with enableAutoPipelining (concurrent requests share round trips) and no offline queue, that has sent nothing yet. */
  redis: RedisClient;
  layout: StreamLayout;
  /** All partitions together. */
  backlogWatermark: number;
  retryAfterSeconds: number;
  /** How stale the cached stream lengths may be; XLEN per request would double the Redis load. */
  backlogCheckMs?: number;
  /**
   * REDIS_WAIT_REPLICAS: an append answers once this many replicas have it (WAIT, in the same round trip), so
   * a failover to a replica cannot lose an acknowledged event; fewer in `timeoutMs` answers 503.
   */
  replication?: { replicas: number; timeoutMs: number };
}

/** A pipeline's [error, result] pairs: the first error thrown, else the results. */
function resultsOf(replies: Array<[Error | null, unknown]> | null): unknown[] {
  for (const [err] of replies ?? []) if (err) throw err;
  return (replies ?? []).map(([, value]) => value);
}

/** Field name of the event bytes in each stream entry. */
export const eventField = "e";

// ARGV: for each key in turn, how many values, then the values. Appends each value as one
// entry; atomic, so what one call is given is queued whole or not at all.
const xaddManyScript = `local a = 1
for k = 1, #KEYS do
  local n = tonumber(ARGV[a])
  for i = a + 1, a + n do redis.call('XADD', KEYS[k], '*', '${eventField}', ARGV[i]) end
  a = a + n + 1
end
return a`;

interface XaddMany {
  /** Over any number of keys (one Redis): the key count first. */
  xaddAcross(numberOfKeys: number, ...keysThenValues: Array<string | number | Buffer>): Promise<number>;
  /** Into one key: a cluster's auto-pipelining routes a command by its first argument, which must then be the key. */
  xaddInto(key: string, ...countThenValues: Array<number | Buffer>): Promise<number>;
}

/**
 * Appends events to their partitions' Redis Streams with XADD, one entry per
 * event. Never trims: the streams are bounded by refusing events above the
 * watermark, never by deleting entries no worker has read. On one Redis a
 * batch is queued whole or not at all (one script over its partitions); on a
 * cluster, whole per partition (a script's keys must share a slot): a batch
 * refused part-way is answered 503, and the copies its retry queues are
 * stored once (one row per uuid).
 */
export function createRedisStreamPublisher(deps: RedisStreamPublisherDeps): EventPublisher {
  const { redis, layout } = deps;
  const client = redis as RedisClient & XaddMany;
  // Every script defined now, before the client sends anything (see partitionRecorder).
  if (!("xaddAcross" in redis)) redis.defineCommand("xaddAcross", { lua: xaddManyScript });
  if (!("xaddInto" in redis)) redis.defineCommand("xaddInto", { lua: xaddManyScript, numberOfKeys: 1 });
  const recordPartitions = partitionRecorder(redis, layout);
  const sources = layout.sources;
  const cluster = redis instanceof Cluster;
  const checkEvery = deps.backlogCheckMs ?? 250;
  let backlog = 0;
  let checkedAt = 0;
  let checking: Promise<void> | undefined;
  let recorded = false;
  let recording: Promise<void> | undefined;
  const record = () =>
    (recording ??= recordPartitions()
      .then(() => void (recorded = true))
      .finally(() => (recording = undefined)));
  // As soon as Redis is up, so workers started after this server read its partitions from their start; else before the first event.
  if (redis.status === "ready") record().catch(() => undefined);
  else redis.once("ready", () => void record().catch(() => undefined));

  function unavailable(why: string): UnavailableError {
    return new UnavailableError(why, deps.retryAfterSeconds);
  }

  function refreshBacklog(): Promise<void> {
    // Auto-pipelined: one round trip (per node of a cluster) for every partition.
    checking ??= Promise.all(sources.map((s) => redis.xlen(s.streamKey).catch(emptyIfNotStream(0))))
      .then((lengths) => {
        backlog = lengths.reduce((a, b) => a + b, 0);
        checkedAt = Date.now();
      })
      .finally(() => {
        checking = undefined;
      });
    return checking;
  }

  const replication = deps.replication && deps.replication.replicas > 0 ? deps.replication : undefined;
  /**
   * Runs an append, followed by WAIT when replicas must have it: both in one pipeline, which a cluster sends to
   * the node of its key's slot (WAIT names no key of its own).
   */
  async function replicated(command: (p: ChainableCommander & XaddMany) => unknown): Promise<void> {
    if (!replication) {
      await command(client as unknown as ChainableCommander & XaddMany);
      return;
    }
    const pipeline = redis.pipeline() as ChainableCommander & XaddMany;
    command(pipeline);
    pipeline.call("WAIT", replication.replicas, replication.timeoutMs);
    const results = resultsOf(await pipeline.exec());
    const acknowledged = Number(results.at(-1));
    if (acknowledged < replication.replicas) {
      throw unavailable(`the event queue's replicas did not confirm in time (${acknowledged} of ${replication.replicas})`);
    }
  }

  function append(byPartition: Map<number, Buffer[]>): Promise<unknown> {
    const parts = [...byPartition];
    if (cluster) return Promise.all(parts.map(([p, values]) => replicated((c) => c.xaddInto(sources[p].streamKey, values.length, ...values))));
    const args: Array<string | number | Buffer> = parts.map(([p]) => sources[p].streamKey);
    for (const [, values] of parts) args.push(values.length, ...values);
    return replicated((c) => c.xaddAcross(parts.length, ...args));
  }

  return {
    async publish(events) {
      if (redis.status !== "ready") throw unavailable("the event queue (Redis) is unreachable");
      try {
        // Before this server's first event: workers configured with fewer partitions learn to read this many.
        if (!recorded) await record();
        if (Date.now() - checkedAt > checkEvery) await refreshBacklog();
        if (backlog >= deps.backlogWatermark) {
          throw unavailable(`the event queue is over its backlog watermark (${deps.backlogWatermark})`);
        }
        if (events.length === 1) {
          const [e] = events;
          const key = sources[layout.partitionOf(e.projectId, e.distinctId)].streamKey;
          await replicated((c) => c.xadd(key, "*", eventField, encodeQueuedEvent(e)));
        } else {
          // One script call per batch: one round trip and one command to parse instead of one per event.
          const byPartition = new Map<number, Buffer[]>();
          for (const e of events) {
            const p = layout.partitionOf(e.projectId, e.distinctId);
            const values = byPartition.get(p);
            if (values) values.push(encodeQueuedEvent(e));
            else byPartition.set(p, [encodeQueuedEvent(e)]);
          }
          await append(byPartition);
        }
        backlog += events.length;
      } catch (e) {
        if (e instanceof UnavailableError) throw e;
        throw unavailable("the event queue (Redis) failed");
      }
    },
    async ready() {
      if (redis.status !== "ready") return false;
      try {
        return (await redis.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
