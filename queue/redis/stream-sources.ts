import type { Logger } from "pino";
import { partitionsInUse } from "./partition-count.js";
import type { RedisClient } from "./redis-client.js";
import { legacySource, type StreamLayout, type StreamSource } from "./stream-layout.js";
import { createStreamTrimmer, type StreamTrimmer } from "./stream-trimmer.js";

/** A stream a worker reads, with its reading state. */
export interface Source extends StreamSource {
  trimmer: StreamTrimmer;
  claimCursor: string;
  /** A reclaim pass over this stream's pending entries has begun and not reached its end. */
  claimDue: boolean;
}

/** The streams one worker reads: its partitions, those servers write to beyond them, and the old single stream while it exists. */
export interface StreamSources {
  live(): readonly Source[];
  byName(name: string): Source | undefined;
  bySourceKey(key: string): Source | undefined;
  /** Looks again for the single-stream layout's key and for partitions servers added. */
  refresh(): Promise<void>;
  /** After NOGROUP (the key was deleted: by hand, or a Redis without persistence restarted): the group again, or the old stream gone. */
  regroup(source: Source): Promise<void>;
  stop(): Promise<void>;
}

export async function openStreamSources(deps: { redis: RedisClient; layout: StreamLayout; group: string; logger?: Logger }): Promise<StreamSources> {
  const { redis, group } = deps;
  const sources = new Map<string, Source>();
  let legacyPresent = false;
  let partitions = 0;

  async function createGroup(key: string, makeStream: boolean): Promise<void> {
    try {
      // From "0": events captured before the first worker ever started are read too.
      await (makeStream ? redis.xgroup("CREATE", key, group, "0", "MKSTREAM") : redis.xgroup("CREATE", key, group, "0"));
    } catch (e) {
      if (!String((e as Error).message).includes("BUSYGROUP")) throw e;
    }
  }

  const add = (s: StreamSource) => {
    if (!sources.has(s.name)) sources.set(s.name, { ...s, trimmer: createStreamTrimmer(redis, s.streamKey), claimCursor: "0-0", claimDue: false });
  };

  async function usePartitions(count: number): Promise<void> {
    if (count <= partitions) return;
    const layout = deps.layout.withPartitions(count);
    const added = layout.sources.filter((s) => s.name !== legacySource).slice(partitions);
    await Promise.all(added.map((s) => createGroup(s.streamKey, true)));
    for (const s of added) add(s);
    if (count > deps.layout.partitions) {
      deps.logger?.warn({ configured: deps.layout.partitions, written: count }, "servers write to more partitions than QUEUE_PARTITIONS: reading them all");
    }
    partitions = count;
  }

  async function checkLegacy(): Promise<void> {
    const legacy = deps.layout.sources.find((s) => s.name === legacySource)!;
    // Only a stream: the original project's queue under the same name was not one, and is not ours to read.
    legacyPresent = (await redis.type(legacy.streamKey)) === "stream";
    if (legacyPresent) {
      await createGroup(legacy.streamKey, false).catch(() => undefined); // gone meanwhile: absent at the next look
      add(legacy);
    }
  }

  await usePartitions(await partitionsInUse(redis, deps.layout));
  await checkLegacy();

  return {
    live: () => [...sources.values()].filter((s) => s.name !== legacySource || legacyPresent),
    byName: (name) => sources.get(name),
    bySourceKey: (key) => [...sources.values()].find((s) => s.streamKey === key),
    async refresh() {
      await Promise.allSettled([checkLegacy(), partitionsInUse(redis, deps.layout).then(usePartitions)]);
    },
    async regroup(source) {
      if (source.name === legacySource) legacyPresent = false;
      else await createGroup(source.streamKey, true);
    },
    async stop() {
      await Promise.all([...sources.values()].map((s) => s.trimmer.stop()));
    },
  };
}
