// A UUIDv7 (RFC 9562): 48-bit Unix ms, version 7, 74 random bits. The server
// keeps the client's uuid as the event's idempotency key, so it is made at
// capture time and survives retries, reloads and tab hand-overs.

const hex: string[] = [];
for (let i = 0; i < 256; i++) hex.push((i + 256).toString(16).slice(1));

// Random bytes drawn 4 KB at a time: one getRandomValues call per 256 uuids.
const pool = new Uint8Array(4096);
let used = pool.length;

export function uuidv7(nowMs: number = Date.now()): string {
  if (used + 16 > pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  const b = pool.subarray(used, (used += 16));
  for (let i = 5, t = nowMs; i >= 0; i--, t = Math.floor(t / 256)) b[i] = t % 256;
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  let s = "";
  for (let i = 0; i < 16; i++) s += (i === 4 || i === 6 || i === 8 || i === 10 ? "-" : "") + hex[b[i]];
  return s;
}
