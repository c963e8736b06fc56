import { isUtf8 } from "node:buffer";

/**
 * A read position in protobuf wire bytes, for the hand-written readers on hot
 * paths (Struct properties, flat request messages, queued events). Each of
 * them hands anything it does not expect to protobuf-es; this only reads.
 */
export class WireCursor {
  readonly buf: Buffer;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The next varint; -1 past the end or beyond 2^49 (no tag, length or timestamp we read is that large). */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= buf.length) return -1;
    let b = buf[pos++];
    if (b < 0x80) {
      this.pos = pos; // one byte: tags and short lengths, the common case
      return b;
    }
    let n = b & 0x7f;
    // Past 2^31, bit operators would wrap: multiply instead.
    for (let scale = 128; scale < 2 ** 49; scale *= 128) {
      if (pos >= buf.length) return -1;
      b = buf[pos++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        return n;
      }
    }
    return -1;
  }

  /** The end of a length-delimited field whose length comes next; -1 when it is not within `end`. */
  lengthEnd(end = this.buf.length): number {
    const n = this.varint();
    return n < 0 || this.pos + n > end ? -1 : this.pos + n;
  }

  /** UTF-8 text of [start, end) (utf8Slice: no view or decoder per string). */
  text(start: number, end: number): string {
    return (this.buf as unknown as { utf8Slice(s: number, e: number): string }).utf8Slice(start, end);
  }

  /**
   * A protobuf string field's text as protobuf-es reads it: its TextDecoder
   * drops one leading byte order mark (queued events keep theirs: use text()).
   * Invalid UTF-8 becomes U+FFFD here; validUtf8() tells the two apart.
   */
  fieldText(start: number, end: number): string {
    const b = this.buf;
    const bom = end - start >= 3 && b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf;
    return this.text(bom ? start + 3 : start, end);
  }

  validUtf8(start: number, end: number): boolean {
    return validUtf8(this.buf, start, end);
  }
}

/** Whether buf[start, end) is well-formed UTF-8 (what protobuf-es's strict decoder accepts): ASCII by a loop, the rest natively. */
export function validUtf8(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] >= 0x80) return isUtf8(buf.subarray(i, end));
  return true;
}
