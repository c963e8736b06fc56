import { benchReadHeaders } from "../shared/bench-keys.js";
/** BENCH_CONCURRENCY (2,8,16): how many /all requests at once, in turn. */
export const concurrencyLevels = (process.env.BENCH_CONCURRENCY ?? "2,8,16")
  .split(",")
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);

/**
 * N dashboards asking at once: `n` concurrent GET /api/v1/analytics/all (each
 * runs every question concurrently, so 7n queries). Every answer must be a 200:
 * a busy pool is not an outage. Reported next to one request alone.
 */
export async function concurrentAll(engineUrl: string, n: number): Promise<{ line: string; ok: boolean }> {
  const one = async () => {
    const t0 = performance.now();
    const res = await fetch(`${engineUrl}/api/v1/analytics/all`, { headers: benchReadHeaders });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t0 };
  };
  const alone = await one();
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: n }, one));
  const wall = performance.now() - t0;
  const statuses = new Map<number, number>();
  for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  const ok = (statuses.get(200) ?? 0) === n && alone.status === 200;
  const counts = [...statuses].map(([s, c]) => `${c}× ${s}`).join(", ");
  const slowest = Math.max(...results.map((r) => r.ms));
  return {
    ok,
    line: `${ok ? "" : "! "}concurrent /all ×${n}: ${counts}; all answered in ${wall.toFixed(0)} ms (slowest ${slowest.toFixed(0)} ms; one alone ${alone.ms.toFixed(0)} ms, ${alone.status})`,
  };
}
