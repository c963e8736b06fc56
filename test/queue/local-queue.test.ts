import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { UnavailableError } from "../../core/errors/domain-errors.js";
import { decodeQueuedEvent } from "../../core/events/queued-event-codec.js";
import { type LocalQueue, openLocalQueue } from "../../queue/local/local-queue.js";

const dirs: string[] = [];
const open: LocalQueue[] = [];
afterEach(async () => {
  for (const q of open.splice(0)) await q.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newDir() {
  const dir = mkdtempSync(join(tmpdir(), "insightplus-localq-"));
  dirs.push(dir);
  return dir;
}

async function queue(dir: string, extra: Partial<Parameters<typeof openLocalQueue>[0]> = {}) {
  const q = await openLocalQueue({ dir, backlogWatermark: 1000, retryAfterSeconds: 2, claimIdleMs: 60_000, logger: pino({ level: "silent" }), ...extra });
  open.push(q);
  return q;
}

const event = (i: number) => ({
  projectId: "default",
  uuid: `0196b2a0-0000-7000-8000-${String(i).padStart(12, "0")}`,
  event: "page_view",
  distinctId: `u${i}`,
  propertiesJson: `{"i":${i}}`,
  timestampMs: 1_700_000_000_000 + i,
  receivedAtMs: 1_700_000_000_000 + i,
  timestampClamped: false,
});
const ids = (entries: Array<{ raw: Uint8Array }>) => entries.map((e) => decodeQueuedEvent(e.raw).uuid);
const segments = (dir: string) => readdirSync(dir).filter((f) => f.startsWith("segment-"));

async function reopen(q: LocalQueue, dir: string) {
  await q.close();
  open.splice(open.indexOf(q), 1);
  return queue(dir);
}

describe("the local queue", () => {
  it("gives back, after a restart, every acknowledged event the worker had not stored, in order", async () => {
    const dir = newDir();
    const q = await queue(dir);
    await q.publish([event(1), event(2)]);
    await q.publish([event(3)]);
    await q.ack((await q.read(1, 0)).map((e) => e.id)); // event 1 stored
    const again = await reopen(q, dir);
    // Stores are not logged, so event 1 may come again (its segment still holds it): the database keeps one row per uuid.
    expect(ids(await again.read(10, 0))).toEqual([event(1).uuid, event(2).uuid, event(3).uuid]);
  });

  it("deletes a segment once every event in it is stored", async () => {
    const dir = newDir();
    const q = await queue(dir, { segmentBytes: 1 }); // every write starts a new segment
    await q.publish([event(1)]);
    await q.publish([event(2)]);
    expect(segments(dir)).toHaveLength(2);
    const read = await q.read(10, 0);
    await q.ack(read.map((e) => e.id));
    expect(segments(dir)).toHaveLength(1); // the one still being written
    await reopen(q, dir);
    expect(segments(dir)).toHaveLength(1); // a new, empty one; the old empty one is gone
  });

  it("reads back the whole records before a torn end, which no acknowledgement covered", async () => {
    const dir = newDir();
    const q = await queue(dir);
    await q.publish([event(1), event(2)]);
    await q.close();
    open.pop();
    appendFileSync(join(dir, segments(dir)[0]), Buffer.from([0x40, 0, 0, 0, 1, 2, 3])); // half a record
    const again = await queue(dir);
    expect(ids(await again.read(10, 0))).toEqual([event(1).uuid, event(2).uuid]);
  });

  it("refuses events above the backlog watermark with UnavailableError", async () => {
    const q = await queue(newDir(), { backlogWatermark: 2 });
    await q.publish([event(1), event(2)]);
    await expect(q.publish([event(3)])).rejects.toBeInstanceOf(UnavailableError);
  });

  it("refuses events, writing nothing, while its disk has less free room than the reserve", async () => {
    const dir = newDir();
    const q = await queue(dir, { reserveBytes: Number.MAX_SAFE_INTEGER });
    const refused = await q.publish([event(1)]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnavailableError);
    expect((refused as Error).message).toMatch(/DATA_DIR_RESERVE_MB/);
    expect(q.size()).toBe(0);
    const roomy = await queue(newDir(), { reserveBytes: 1 });
    await roomy.publish([event(2)]);
    expect(roomy.size()).toBe(1);
  });

  it("writes dead letters, with their reason, beside the log", async () => {
    const dir = newDir();
    const q = await queue(dir);
    await q.publish([event(1)]);
    const [entry] = await q.read(1, 0);
    await q.deadLetter([{ entry, reason: "postgres refused the row" }]);
    const [line] = readFileSync(join(dir, "dead-letters.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(line.reason).toBe("postgres refused the row");
    expect(decodeQueuedEvent(Buffer.from(line.event, "base64")).uuid).toBe(event(1).uuid);
    expect(q.size()).toBe(0);
  });

  it("delivers an entry again when its reader does not ack it in time", async () => {
    const q = await queue(newDir(), { claimIdleMs: 50 });
    await q.publish([event(1)]);
    await q.read(1, 0);
    await new Promise((r) => setTimeout(r, 80));
    const [again] = await q.read(1, 0);
    expect([decodeQueuedEvent(again.raw).uuid, again.deliveries]).toEqual([event(1).uuid, 2]);
  });
});
