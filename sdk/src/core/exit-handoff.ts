import type { BoundedQueue } from "./bounded-queue.js";
import type { LifecycleHandlers, Network, QueueStorage, Transport } from "./platform.js";
import { chunkByBytes, eventsOf, type QueueItem } from "./queue-item.js";
import type { Reporter } from "./reporter.js";
import type { SendLoop } from "./send-loop.js";
import type { StorageMirror } from "./storage-mirror.js";

export interface ExitHandoffDeps {
  queue: BoundedQueue;
  loop: SendLoop;
  transport: Transport;
  mirror: StorageMirror;
  storage?: QueueStorage;
  network?: Network;
  report: Reporter;
  now(): number;
  /** Takes over queues nobody claims (including the one this page released). */
  adopt(): Promise<void> | undefined;
}

/**
 * What happens when a page is hidden or goes away. While the server is
 * healthy, the rest of the queue is handed to the browser (sendBeacon or
 * fetch keepalive), which finishes those requests after the page is gone;
 * they leave the queue so that no later page sends them again. While
 * offline or failing, a beacon would be lost without a word, so the events
 * stay in storage and the next page load (or another tab) sends them.
 */
export function createExitHandoff(deps: ExitHandoffDeps): LifecycleHandlers {
  const { queue, loop, transport, mirror } = deps;
  let released = false;

  function handOff(items: QueueItem[]): QueueItem[] {
    const handed: QueueItem[] = [];
    const sentAt = new Date(deps.now()).toISOString();
    for (const chunk of chunkByBytes(items, transport.exitMaxBytes ?? 60_000)) {
      if (!transport.sendOnExit?.(chunk, sentAt)) break; // the browser's beacon budget is spent
      handed.push(...chunk);
    }
    queue.remove(handed.map((i) => i.uuid));
    return handed;
  }

  return {
    hide(final) {
      const online = deps.network?.online() ?? true;
      const trusted = online && loop.healthy;
      const waiting = queue.items().filter((i) => !loop.inFlight.has(i.uuid));
      // When not trusted, only events storage could not hold are worth a last-chance beacon.
      handOff(online ? (trusted ? waiting : waiting.filter((i) => mirror.isUnpersisted(i.uuid))) : []);
      mirror.saveNow(trusted ? loop.inFlight : undefined);
      if (!final) return;
      const lost = queue.items().filter((i) => mirror.isUnpersisted(i.uuid) && !loop.inFlight.has(i.uuid));
      queue.remove(lost.map((i) => i.uuid));
      deps.report.drop(eventsOf(lost), {
        reason: "storage_full",
        message: "the page went away while storage was full and the events could not be sent",
      });
      // Storage now holds the queue: let the next page load or another tab take it over.
      mirror.suspend();
      queue.remove(
        queue
          .items()
          .filter((i) => !loop.inFlight.has(i.uuid))
          .map((i) => i.uuid),
      );
      deps.storage?.release?.();
      released = true;
    },
    show() {
      if (!released) return;
      released = false;
      // Back from the back/forward cache under a new claim: the queue this page released
      // is adopted like any orphan, unless another tab took it meanwhile.
      mirror.resume();
      void deps.storage?.reclaim?.()?.then(() => {
        mirror.saveNow();
        return deps.adopt();
      });
    },
  };
}
