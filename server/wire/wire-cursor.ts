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
    let n = 0;
    for (let shift = 0; shift < 49; shift += 7) {
      if (this.pos >= this.buf.length) return -1;
      const b = this.buf[this.pos++];
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
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
}
