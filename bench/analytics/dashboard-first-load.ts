import { createAnalyticsService } from "../../analytics/analytics-service.js";
import { defaultProjectId } from "../../core/access/project-model.js";
import { table } from "../shared/report.js";
import type { ClickHouseRig } from "./analytics-clickhouse.js";
import { percentile } from "./analytics-timing.js";
import { createAnalyticsClient } from "./dashboard-client.js";
import { createTimedStore } from "./dashboard-store-calls.js";
import { firstLoadTiles, lastDaysUtc, type Tile } from "./dashboard-tiles.js";

export interface FirstLoadOptions {
  rounds: number;
  minRounds: number;
  /** Rounds stop after this once `minRounds` are in. */
  budgetMs: number;
  /** Rounds of each tile asked alone, one after another (what it costs without the others). */
  aloneRounds: number;
  httpVersion: "1.1" | "2";
  rangeDays: number;
}

/** Each tile's answer within a second at p50, while the whole first screen loads. */
export const tileTargetMs = 1000;

type Side = { total: number[]; tiles: Map<string, number[]> };
const newSide = (tiles: Tile[]): Side => ({ total: [], tiles: new Map(tiles.map((t) => [t.name, []])) });
const ms = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : "—");
const p = (xs: number[] | undefined, q: number) => percentile(xs ?? [], q);

/** Every tile at once; the round lasts until the last answer. A failed tile is recorded, not thrown. */
async function round(tiles: Tile[], run: (t: Tile) => Promise<unknown>, side: Side | undefined, errors: Map<string, string>) {
  const t0 = performance.now();
  await Promise.all(
    tiles.map(async (t) => {
      const s = performance.now();
      try {
        await run(t);
        side?.tiles.get(t.name)?.push(performance.now() - s);
      } catch (e) {
        errors.set(t.name, (e as Error).message.split("\n")[0].slice(0, 200));
      }
    }),
  );
  side?.total.push(performance.now() - t0);
}

/**
 * The dashboard's first screen replayed against the engine over Connect, all
 * requests at once, round after round; interleaved with the same requests
 * answered in-process by the analytics service over the store (no HTTP,
 * Connect or auth), so the gap between them is the engine's share. Then each
 * tile alone, and one in-process pass with every store call timed: the
 * slowest of those name the SQL a slow tile waits for.
 */
export async function measureFirstLoad(rig: ClickHouseRig, o: FirstLoadOptions, log: (s: string) => void) {
  const range = lastDaysUtc(o.rangeDays);
  const { tiles, skipped } = firstLoadTiles(range);
  const { client, close } = createAnalyticsClient(rig.engineUrl, o.httpVersion);
  const service = createAnalyticsService({ store: async () => rig.store, now: Date.now });
  const errors = new Map<string, string>();
  const api = newSide(tiles);
  const direct = newSide(tiles);
  const alone = newSide(tiles);
  const viaApi = (t: Tile) => t.call(client);
  const inProcess = (t: Tile) => t.inProcess(service, defaultProjectId);
  try {
    // Warm-up: connections, ClickHouse's caches and JIT on both sides.
    await round(tiles, viaApi, undefined, errors);
    await round(tiles, inProcess, undefined, errors);
    const deadline = performance.now() + o.budgetMs;
    for (let i = 0; i < o.rounds; i++) {
      if (i >= o.minRounds && performance.now() > deadline) break;
      const order = i % 2 === 0 ? [viaApi, inProcess] : [inProcess, viaApi];
      for (const run of order) await round(tiles, run, run === viaApi ? api : direct, errors);
      log(`  first load round ${i + 1}: engine ${ms(api.total.at(-1)!)} ms, in-process ${ms(direct.total.at(-1)!)} ms`);
    }
    for (let i = 0; i < o.aloneRounds; i++) for (const t of tiles) await round([t], viaApi, alone, errors);
  } finally {
    close();
  }
  const timed = createTimedStore(rig.store);
  const profiled = createAnalyticsService({ store: async () => timed.store, now: Date.now });
  for (const t of tiles) {
    timed.setTile(t.name);
    await t.inProcess(profiled, defaultProjectId).catch(() => undefined);
  }

  const rows = [
    ["whole first load (last answer)", `${tiles.length} requests`, api.total, direct.total, undefined] as const,
    ...tiles.map((t) => [t.name, t.rpc, api.tiles.get(t.name), direct.tiles.get(t.name), alone.tiles.get(t.name)] as const),
  ];
  const verdicts = tiles.map((t) => !errors.has(t.name) && p(api.tiles.get(t.name), 50) <= tileTargetMs);
  const out = table(
    ["Tile", "RPC", "Engine p50 / p90 ms", "In-process p50 / p90 ms", "Engine / in-process (p50)", "Alone p50 ms", "n", "Target", "Verdict"],
    rows.map(([name, rpc, a, d, one], i) => [
      name,
      rpc,
      `${ms(p(a, 50))} / ${ms(p(a, 90))}`,
      `${ms(p(d, 50))} / ${ms(p(d, 90))}`,
      `${(p(a, 50) / p(d, 50)).toFixed(2)}×`,
      one ? ms(p(one, 50)) : "—",
      String(Math.min(a?.length ?? 0, d?.length ?? 0)),
      i === 0 ? "—" : `p50 ≤ ${tileTargetMs} ms`,
      i === 0 ? "—" : verdicts[i - 1] ? "PASS" : "BELOW-TARGET",
    ]),
  );
  const slowest = [...timed.calls].sort((x, y) => y.ms - x.ms).slice(0, 12);
  const storeTotal = timed.calls.reduce((s, c) => s + c.ms, 0);
  const lines = [
    `first load: firstLoad({ from: "${range.from}", to: "${range.to}", tz: "${range.tz}" }) → ${tiles.length} requests, all at once over Connect ` +
      `(HTTP/${o.httpVersion}, binary), ${api.total.length} rounds after a warm-up`,
    ...(skipped.length ? [`! firstLoad() entries not replayed (shape not recognised): ${skipped.join(", ")}`] : []),
    ...[...errors].map(([name, e]) => `! ${name}: ${e}`),
    "",
    out,
    "",
    `Store calls of one first load, each tile alone in-process: ${timed.calls.length} SQL statements, ${ms(storeTotal)} ms in all; the slowest:`,
    ...slowest.map((c) => `  ${ms(c.ms).padStart(6)} ms  ${c.tile.padEnd(22)} ${c.what}`),
  ];
  return { lines, pass: verdicts.filter(Boolean).length, below: verdicts.filter((v) => !v).length };
}
