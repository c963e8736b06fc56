/** A consumer group (or its stream) missing: the key was deleted, by hand or by a Redis without persistence restarting. */
export const isNoGroup = (e: unknown) => String((e as Error)?.message).includes("NOGROUP");

/**
 * For reads of the single-stream layout's key, which may hold something else
 * (the original project's queue under the same name): such a key holds no
 * events of ours, so it reads as empty instead of failing the whole read.
 */
export function emptyIfNotStream<T>(empty: T): (e: unknown) => T {
  return (e) => {
    if (String((e as Error)?.message).startsWith("WRONGTYPE")) return empty;
    throw e;
  };
}
