import { describe, expect, it } from "vitest";
import { createStreamLayout, entryId, partitionHash, splitEntryId } from "../../queue/redis/stream-layout.js";

/** Redis Cluster's key slot (CRC16/XMODEM of the hash tag, mod 16384), to check where partitions land. */
function keySlot(key: string): number {
  const open = key.indexOf("{");
  const close = key.indexOf("}", open + 1);
  const tagged = open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(tagged)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

describe("the partitioned stream layout", () => {
  const layout = createStreamLayout({ streamKey: "insightplus:events", deadLetterKey: "insightplus:events:dead", partitions: 16 });

  it("names each partition with a hash tag of its own, its dead letters in the same slot, and the old single stream last", () => {
    expect(layout.sources.map((s) => s.streamKey).slice(0, 2)).toEqual(["insightplus:events:{0}", "insightplus:events:{1}"]);
    expect(layout.sources.at(-1)).toEqual({ name: "legacy", streamKey: "insightplus:events", deadLetterKey: "insightplus:events:dead" });
    const partitions = layout.sources.slice(0, 16);
    expect(new Set(partitions.map((s) => keySlot(s.streamKey))).size).toBe(16);
    for (const s of partitions) expect(keySlot(s.deadLetterKey)).toBe(keySlot(s.streamKey));
  });

  it("keeps a user's partition fixed across processes and versions (changing the hash would reorder users mid-stream)", () => {
    // Pinned values: FNV-1a 32 over project, a newline, distinct_id.
    expect([partitionHash("default", "user-1"), partitionHash("p2", "user-1")]).toEqual([PINNED[0], PINNED[1]]);
    expect(layout.partitionOf("default", "user-1")).toBe(PINNED[0] % 16);
    // The project is part of the key: ("ab", "c") and ("a", "bc") are different users.
    expect(partitionHash("ab", "c")).not.toBe(partitionHash("a", "bc"));
  });

  it("spreads users evenly: each of 16 partitions within 15% of its share of 100,000 users", () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 100_000; i++) counts[layout.partitionOf("default", `user-${i}`)]++;
    for (const n of counts) expect(Math.abs(n - 6250) / 6250).toBeLessThan(0.15);
  });

  it("carries the source in an entry id and back", () => {
    expect(splitEntryId(entryId("12", "1700000000000-3"))).toEqual({ source: "12", streamId: "1700000000000-3" });
    expect(splitEntryId(entryId("legacy", "1-0"))).toEqual({ source: "legacy", streamId: "1-0" });
  });
});

const PINNED = [3398399781, 1434106606];
