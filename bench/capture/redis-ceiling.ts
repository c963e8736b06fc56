import type { Redis } from "ioredis";
import { eventField } from "../../queue/redis/redis-stream-publisher.js";
import type { LoadResult } from "../shared/measure.js";

/**
 * The batched ceiling: XADD of the same protobuf bytes straight from this
 * process into Redis, `pipeline` commands per round trip, one round trip at a time.
 */
export async function pipelinedXadd(redis: Redis, key: string, bytes: Buffer, pipeline: number, seconds: number): Promise<LoadResult> {
  const start = performance.now();
  const until = start + seconds * 1000;
  let units = 0;
  let errors = 0;
  let firstError: string | undefined;
  while (performance.now() < until) {
    const p = redis.pipeline();
    for (let i = 0; i < pipeline; i++) p.xadd(key, "*", eventField, bytes);
    for (const [err] of (await p.exec()) ?? []) {
      if (err) {
        errors++;
        firstError ??= String(err);
      } else units++;
    }
  }
  return { units, seconds: (performance.now() - start) / 1000, errors, firstError };
}
