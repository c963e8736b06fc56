// JSON.stringify's short escapes; other control characters become \u00xx.
const shortEscapes: Array<number | undefined> = [];
Object.assign(shortEscapes, { 8: 0x62, 9: 0x74, 10: 0x6e, 12: 0x66, 13: 0x72 });
const hex = "0123456789abcdef";

/**
 * JSON text written as UTF-8 bytes into chunks, for hot paths that turn wire
 * bytes into JSON without making a JS string per value (Struct properties at
 * capture, ClickHouse rows in the worker). Each value is written after the
 * last and handed out by view() without a copy; a chunk is never written
 * again once full, so a view stays valid for as long as it is kept. Callers
 * are synchronous and never nest.
 */
export class JsonBytesOut {
  private buf: Buffer;
  private start = 0; // where the value being written began
  private at = 0;

  constructor(private readonly chunkSize: number) {
    this.buf = Buffer.allocUnsafeSlow(chunkSize);
  }

  /** Starts a value, dropping whatever was written since the last view(). */
  begin(): void {
    this.at = this.start;
  }

  /** The value written since begin(), as a view that later writes never touch. */
  view(): Buffer {
    const v = this.buf.subarray(this.start, this.at);
    this.start = this.at;
    return v;
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
   * src[start, end) as a JSON string, escaped as JSON.stringify escapes it,
   * when every byte is ASCII and none is NUL: the common case, copied byte by
   * byte. Returns false, having written nothing, for anything else (the caller
   * takes the text path, where UTF-8 and NUL are checked).
   */
  asciiString(src: Uint8Array, start: number, end: number): boolean {
    const need = 2 + 6 * (end - start); // \u00xx at worst
    if (this.at + need > this.buf.length) this.grow(need);
    const buf = this.buf;
    let at = this.at;
    buf[at++] = 0x22;
    for (let i = start; i < end; i++) {
      const c = src[i];
      if (c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c) buf[at++] = c;
      else if (c >= 0x80 || c === 0) return false;
      else if (c === 0x22 || c === 0x5c) {
        buf[at++] = 0x5c;
        buf[at++] = c;
      } else if (shortEscapes[c] !== undefined) {
        buf[at++] = 0x5c;
        buf[at++] = shortEscapes[c];
      } else {
        buf[at++] = 0x5c;
        buf[at++] = 0x75; // u
        buf[at++] = 0x30;
        buf[at++] = 0x30;
        buf[at++] = hex.charCodeAt(c >> 4);
        buf[at++] = hex.charCodeAt(c & 15);
      }
    }
    buf[at++] = 0x22;
    this.at = at;
    return true;
  }

  /** A fresh chunk, with the value being written moved over; the full one is left to the views into it. */
  private grow(need: number): void {
    const inProgress = this.at - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(this.chunkSize, 2 * (inProgress + need)));
    this.buf.copy(next, 0, this.start, this.at);
    this.buf = next;
    this.start = 0;
    this.at = inProgress;
  }
}
