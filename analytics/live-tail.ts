import { RateLimitedError, UnavailableError } from "../core/errors/domain-errors.js";
import type { EventFeed } from "../core/events/event-feed.js";
import type { StoredEvent } from "../core/events/event-model.js";
import { eventName } from "./query-params.js";

export interface TailBatch {
  events: StoredEvent[];
  /** Events left out since the previous batch because this reader fell behind. */
  skipped: number;
}

export interface LiveTailOptions {
  /** Events, and bytes of their properties, held for one slow reader; older ones are dropped (and counted) beyond either. */
  maxBuffered: number;
  maxBufferedBytes: number;
  /** Events per batch sent. */
  maxBatch: number;
  /** An empty batch after this long without events, so readers and proxies know the stream is alive. */
  heartbeatMs: number;
  /** Tails open at once in this process, and for one project (so one key cannot take them all). */
  maxTails: number;
  maxTailsPerProject: number;
  /** A tail ends (cleanly) after this long; readers reconnect, and nothing holds a slot forever. */
  maxLifetimeMs: number;
}

const defaults: LiveTailOptions = {
  maxBuffered: 1000,
  maxBufferedBytes: 4 << 20,
  maxBatch: 100,
  heartbeatMs: 15_000,
  maxTails: 100,
  maxTailsPerProject: 10,
  maxLifetimeMs: 30 * 60_000,
};

/**
 * Live tails of one project's events, as they are queued: a first, empty
 * batch at once, then what arrives. Each tail holds a bounded buffer, so a
 * slow reader costs at most `maxBuffered` events of memory and learns how
 * many it missed; closeAll ends every tail (shutdown).
 */
export function createLiveTail(deps: { feed: EventFeed; options?: Partial<LiveTailOptions> }) {
  const o = { ...defaults, ...deps.options };
  const open = new Map<() => void, string>();
  let closing = false;

  async function* tail(q: { projectId: string; events: readonly string[]; signal: AbortSignal }): AsyncGenerator<TailBatch> {
    const names = new Set(q.events.map((e, i) => eventName(e, `events[${i}]`)));
    if (closing) throw new UnavailableError("the server is shutting down", 1);
    if (open.size >= o.maxTails) throw new RateLimitedError("too many live tails are open on this server; try again shortly", 5);
    if ([...open.values()].filter((p) => p === q.projectId).length >= o.maxTailsPerProject) {
      throw new RateLimitedError(`this project has ${o.maxTailsPerProject} live tails open already; close one or try again shortly`, 5);
    }
    let buffer: StoredEvent[] = [];
    let skipped = 0;
    let wake: (() => void) | undefined;
    let ended = false;
    const end = () => {
      ended = true;
      wake?.();
    };
    let bytes = 0;
    const following = deps.feed.follow((events) => {
      for (const e of events) {
        if (e.projectId !== q.projectId || (names.size > 0 && !names.has(e.event))) continue;
        buffer.push(e);
        bytes += Buffer.byteLength(e.propertiesJson);
      }
      let drop = 0;
      while (buffer.length - drop > o.maxBuffered || (bytes > o.maxBufferedBytes && buffer.length - drop > 1))
        bytes -= Buffer.byteLength(buffer[drop++].propertiesJson);
      if (drop > 0) {
        skipped += drop;
        buffer = buffer.slice(drop);
      }
      if (buffer.length > 0) wake?.();
    });
    open.set(end, q.projectId);
    q.signal.addEventListener("abort", end, { once: true });
    const lifetime = setTimeout(end, o.maxLifetimeMs);
    try {
      // The first message says the tail is live: everything queued from now on follows.
      await following.ready;
      yield { events: [], skipped: 0 };
      while (!ended) {
        if (buffer.length === 0) {
          let timer: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, o.heartbeatMs);
          });
          clearTimeout(timer);
          wake = undefined;
          if (ended) break;
        }
        const events = buffer.splice(0, o.maxBatch);
        for (const e of events) bytes -= Buffer.byteLength(e.propertiesJson);
        const batch = { events, skipped };
        skipped = 0;
        yield batch;
      }
    } finally {
      clearTimeout(lifetime);
      following.stop();
      open.delete(end);
      q.signal.removeEventListener("abort", end);
    }
  }

  return {
    tail,
    /** Ends every open tail (each returns after its current batch) and refuses new ones: shutdown. */
    closeAll() {
      closing = true;
      for (const end of open.keys()) end();
    },
  };
}

export type LiveTail = ReturnType<typeof createLiveTail>;
