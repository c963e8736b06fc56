import http from "node:http";
import { benchReadHeaders } from "../shared/bench-keys.js";
/**
 * Side-by-side latency: two ways of answering the same question, run
 * alternately (A B, then B A, …) so drift and noise from other processes on
 * this machine hit both alike. Bounded by a sample count and a time budget.
 */
export interface Latencies {
  /** Milliseconds, in the order taken. */
  samples: number[];
  p50: number;
  p99: number;
}

export interface Pair {
  a: Latencies;
  b: Latencies;
  /** Whether the budget cut the run short of `samples`. */
  truncated: boolean;
  error?: string;
}

/** Nearest-rank percentile (p99 of 30 samples is their maximum). */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const summarize = (samples: number[]): Latencies => ({ samples, p50: percentile(samples, 50), p99: percentile(samples, 99) });

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * `warmup` unmeasured rounds of each, then up to `samples` measured pairs
 * while the budget lasts (at least `minSamples` pairs when the budget allows
 * any at all). A failure stops the pair and is reported, not thrown.
 */
export async function interleaved(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  opts: { samples: number; minSamples: number; warmup: number; budgetMs: number },
): Promise<Pair> {
  const as: number[] = [];
  const bs: number[] = [];
  const deadline = performance.now() + opts.budgetMs;
  try {
    for (let i = 0; i < opts.warmup; i++) {
      await a();
      await b();
    }
    for (let i = 0; i < opts.samples; i++) {
      if (i >= opts.minSamples && performance.now() > deadline) break;
      if (i % 2 === 0) {
        as.push(await timed(a));
        bs.push(await timed(b));
      } else {
        bs.push(await timed(b));
        as.push(await timed(a));
      }
    }
  } catch (e) {
    return { a: summarize(as), b: summarize(bs), truncated: true, error: (e as Error).message.split("\n")[0].slice(0, 200) };
  }
  return { a: summarize(as), b: summarize(bs), truncated: as.length < opts.samples };
}

// A lean HTTP/1.1 client with kept-alive connections, as curl or a service's own
// client would be: Node's fetch adds ~1 ms of its own per call on this machine,
// which is the client's cost, not the API's.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** A GET that must answer 200; the body is read in full and parsed, as a client would. */
export function restGet(url: string): () => Promise<unknown> {
  return () =>
    new Promise((resolve, reject) => {
      http
        .get(url, { agent, headers: benchReadHeaders }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200) reject(new Error(`${url} → ${res.statusCode}: ${body.slice(0, 200)}`));
            else resolve(JSON.parse(body));
          });
        })
        .on("error", reject);
    });
}
