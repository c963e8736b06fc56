import { crc32 } from "node:zlib";

/**
 * One record of the local queue's log: [u32 payload length][u32 CRC-32 of the
 * payload][payload], little-endian. The checksum finds a record torn by a
 * crash in the middle of a write (a length alone would read garbage as an event).
 */
const headerBytes = 8;
/** Larger than any event the server accepts (MAX_EVENT_BYTES is at most 16 MiB): a bigger length is a torn header. */
const maxPayloadBytes = 64 << 20;

/** The records of `payloads` as one buffer, ready for one write. */
export function encodeRecords(payloads: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const p of payloads) size += headerBytes + p.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of payloads) {
    out.writeUInt32LE(p.length, at);
    out.writeUInt32LE(crc32(p), at + 4);
    out.set(p, at + headerBytes);
    at += headerBytes + p.length;
  }
  return out;
}

/**
 * The whole records at the start of `buf`, and how many bytes they take: a
 * crash can leave a torn record at the end of the last file written, and
 * everything from the first bad record on is not to be trusted.
 */
export function decodeRecords(buf: Buffer): { payloads: Buffer[]; validBytes: number } {
  const payloads: Buffer[] = [];
  let at = 0;
  while (at + headerBytes <= buf.length) {
    const length = buf.readUInt32LE(at);
    const end = at + headerBytes + length;
    if (length > maxPayloadBytes || end > buf.length) break;
    const payload = buf.subarray(at + headerBytes, end);
    if (crc32(payload) !== buf.readUInt32LE(at + 4)) break;
    payloads.push(payload);
    at = end;
  }
  return { payloads, validBytes: at };
}
