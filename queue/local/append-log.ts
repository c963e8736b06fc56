import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { decodeRecords, encodeRecords } from "./log-records.js";

export interface AppendLog {
  /** The records found at open, oldest first, each with the segment it is in. */
  readonly recovered: ReadonlyArray<{ segment: number; payload: Buffer }>;
  /** Appends the records; resolves, with the segment they went to, once they are on disk (fdatasync). */
  append(payloads: readonly Uint8Array[]): Promise<number>;
  /** `count` records of `segment` are done with; a segment all done with, and no longer written, is deleted. */
  release(segment: number, count: number): void;
  close(): Promise<void>;
}

const segmentName = (n: number) => `segment-${String(n).padStart(12, "0")}.log`;
const segmentPattern = /^segment-(\d{12})\.log$/;

/**
 * The local queue's files: numbered segments of checksummed records, only
 * ever appended to. Appends that arrive while one is being written are
 * written and synced together (group commit), so many concurrent captures
 * share one fdatasync. Every open starts a new segment, and so does a write
 * that failed: records are never appended after bytes that may be torn.
 */
export async function openAppendLog(dir: string, opts: { segmentBytes: number; logger: Logger }): Promise<AppendLog> {
  mkdirSync(dir, { recursive: true });
  const live = new Map<number, number>(); // segment → records not yet released
  const recovered = recover(dir, live, opts.logger);
  let active = Math.max(0, ...live.keys()) + 1;
  let file = await createSegment(dir, active);
  let activeBytes = 0;
  let pending: Array<{ payloads: readonly Uint8Array[]; resolve(segment: number): void; reject(e: unknown): void }> = [];
  let flushing: Promise<void> | undefined;

  function retireIfDone(segment: number) {
    if (segment !== active && live.get(segment) === 0) {
      live.delete(segment);
      rmSync(join(dir, segmentName(segment)), { force: true });
    }
  }

  async function rotate() {
    await file.close();
    const previous = active;
    active++;
    file = await createSegment(dir, active);
    activeBytes = 0;
    retireIfDone(previous);
  }

  async function flush() {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      const payloads = batch.flatMap((b) => b.payloads);
      try {
        if (activeBytes >= opts.segmentBytes) await rotate();
        const bytes = encodeRecords(payloads);
        for (let at = 0; at < bytes.length; ) at += (await file.write(bytes, at, bytes.length - at)).bytesWritten;
        await file.datasync();
        activeBytes += bytes.length;
        live.set(active, (live.get(active) ?? 0) + payloads.length);
        for (const b of batch) b.resolve(active);
      } catch (e) {
        for (const b of batch) b.reject(e);
        await rotate().catch(() => undefined); // what follows must not sit behind a torn record
      }
    }
    flushing = undefined;
  }

  return {
    recovered,
    append(payloads) {
      return new Promise((resolve, reject) => {
        pending.push({ payloads, resolve, reject });
        flushing ??= flush();
      });
    },
    release(segment, count) {
      live.set(segment, (live.get(segment) ?? 0) - count);
      retireIfDone(segment);
    },
    async close() {
      await flushing;
      await file.close();
      if ((live.get(active) ?? 0) === 0) rmSync(join(dir, segmentName(active)), { force: true });
    },
  };
}

/** Reads every segment; empty ones are deleted, a torn end is reported and left out. */
function recover(dir: string, live: Map<number, number>, logger: Logger): Array<{ segment: number; payload: Buffer }> {
  const out: Array<{ segment: number; payload: Buffer }> = [];
  const segments = readdirSync(dir)
    .map((f) => segmentPattern.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  for (const segment of segments) {
    const path = join(dir, segmentName(segment));
    const bytes = readFileSync(path);
    const { payloads, validBytes } = decodeRecords(bytes);
    if (validBytes < bytes.length) {
      logger.warn(
        { segment: path, tornBytes: bytes.length - validBytes },
        "local queue: the end of a segment was torn by a crash; it held no acknowledged event",
      );
    }
    if (payloads.length === 0) {
      rmSync(path, { force: true });
      continue;
    }
    live.set(segment, payloads.length);
    for (const payload of payloads) out.push({ segment, payload });
  }
  return out;
}

/** A new, empty segment file, with the directory synced so the file itself survives a power cut. */
async function createSegment(dir: string, segment: number): Promise<FileHandle> {
  const file = await open(join(dir, segmentName(segment)), "a");
  const d = await open(dir, "r");
  try {
    await d.datasync();
  } finally {
    await d.close();
  }
  return file;
}
