/**
 * JSON text written as UTF-8 bytes into one scratch buffer, for readers that
 * turn wire bytes into JSON without making a JS string per value. take()
 * copies the result out, so one scratch serves every call (callers are
 * synchronous and never nest).
 */
export class JsonBytesOut {
  private buf = Buffer.allocUnsafe(1 << 14);
  private at = 0;

  reset(): void {
    this.at = 0;
    if (this.buf.length > 1 << 20) this.buf = Buffer.allocUnsafe(1 << 14); // one huge request does not pin its size
  }

  get length(): number {
    return this.at;
  }

  /** Drops what was written after `length` (a value being written is taken back). */
  truncate(length: number): void {
    this.at = length;
  }

  byte(c: number): void {
    if (this.at === this.buf.length) this.grow(1);
    this.buf[this.at++] = c;
  }

  /** Bytes already in their final form (a JSON-quoted key, a literal). */
  raw(src: Uint8Array): void {
    const n = src.length;
    if (this.at + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < n; i++) buf[at++] = src[i];
    this.at = at;
  }

  /** Text that is all ASCII (numbers as JavaScript prints them). */
  ascii(s: string): void {
    const n = s.length;
    if (this.at + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    this.at = at;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    const n = Buffer.byteLength(s);
    if (this.at + n > this.buf.length) this.grow(n);
    this.at += this.buf.write(s, this.at, "utf8");
  }

  /**
   * src[start, end) as a JSON string when it needs no escaping and is plain
   * ASCII (printable, no quote or backslash): the common case, copied byte by
   * byte. Returns false, having written nothing, for anything else.
   */
  plainString(src: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (this.at + n + 2 > this.buf.length) this.grow(n + 2);
    const buf = this.buf;
    let at = this.at + 1;
    for (let i = start; i < end; i++) {
      const c = src[i];
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
      buf[at++] = c;
    }
    buf[this.at] = 0x22;
    buf[at++] = 0x22;
    this.at = at;
    return true;
  }

  /** What was written, as a Buffer of its own. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.at);
    this.buf.copy(out, 0, 0, this.at);
    return out;
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.at + need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
}
