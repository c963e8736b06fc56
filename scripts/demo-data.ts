// Loads a realistic synthetic dataset (users arriving over time, visits with a
// power law, the original's four events, a registration → payment funnel with
// drop-off, Zipf-skewed feature use) so a new user sees populated analytics.
//   tsx scripts/demo-data.ts --events 100000 --days 90 --mode capture|direct --url http://localhost:7002 --seed 42
import { ConfigError } from "../core/errors/config-error.js";
import { DemoAbort, loadViaCapture } from "./demo/capture-loader.js";
import { type DemoCliOptions, parseDemoArgs, usage } from "./demo/cli-options.js";
import { loadDirect } from "./demo/direct-loader.js";
import { demoEvents } from "./demo/generator.js";
import { type Progress, progressBar } from "./demo/progress-bar.js";

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<number> {
  let opts: DemoCliOptions;
  try {
    opts = parseDemoArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`demo-data: ${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  if (opts.help) {
    console.log(usage);
    return 0;
  }
  const chunks = demoEvents({ events: opts.events, days: opts.days, seed: opts.seed, chunkSize: opts.mode === "capture" ? 500 : 5000 });
  console.log(`Demo data: ${fmt(opts.events)} events over the last ${opts.days} days, seed ${opts.seed}, mode ${opts.mode}`);
  let bar: Progress | undefined;
  const started = Date.now();
  let openedAfterMs = 0;
  try {
    let sent: number;
    if (opts.mode === "capture") {
      await waitForServer(opts.url);
      console.log(`Sending to ${opts.url}/api/v1/batch (batches of 500, ${opts.concurrency} at a time)`);
      bar = progressBar(opts.events, "capture");
      const result = await loadViaCapture(chunks, { url: opts.url, key: opts.key, concurrency: opts.concurrency, onProgress: (n) => bar!.tick(n) });
      sent = result.sent;
      bar.done();
      if (result.retries > 0) console.log(`(${fmt(result.retries)} requests retried after 503 or a network error)`);
    } else {
      const result = await loadDirect(chunks, {
        onTarget: (target) => console.log(`Opening ${target} ...`),
        onOpened: () => {
          openedAfterMs = Date.now() - started;
          console.log(`Writing straight into the database (batches of 5,000)`);
          bar = progressBar(opts.events, "direct");
        },
        onProgress: (n) => bar?.tick(n),
      });
      sent = result.sent;
      bar?.done();
    }
    const secs = (Date.now() - started) / 1000;
    const opening = openedAfterMs > 0 ? `; opening the database took ${(openedAfterMs / 1000).toFixed(1)} s` : "";
    console.log(`\nDone: ${fmt(sent)} events in ${secs.toFixed(1)} s (${fmt(sent / Math.max(secs, 0.001))} events/s${opening}).`);
    if (opts.mode === "capture") console.log("The worker writes queued events to the database within seconds.");
    else console.log("Start the server (npm start) if it is not running.");
    console.log(`Then ask, with the project's read key: curl -H "authorization: Bearer <read key>" ${opts.url}/api/v1/analytics/all`);
    return 0;
  } catch (e) {
    if (bar && process.stdout.isTTY) process.stdout.write("\n");
    if (e instanceof DemoAbort || e instanceof ConfigError) {
      console.error(`demo-data: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** Fails fast with a clear message when nothing listens at `url`; waits a little for a starting server. */
async function waitForServer(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) }).catch((e: Error) => e);
    if (res instanceof Error) {
      throw new DemoAbort(
        `cannot reach the server at ${url} (${(res.cause as { code?: string })?.code ?? res.message}).\n  Start it with \`npm start\` (or pass --url), or use --mode direct to write into the database.`,
      );
    }
    if (res.status !== 503) return; // ready, or an older server without /readyz: the first batch will tell
    if (Date.now() > deadline) throw new DemoAbort(`the server at ${url} is up but not ready (its queue is unavailable): ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
