import { parseArgs } from "node:util";

export interface DemoCliOptions {
  events: number;
  days: number;
  mode: "capture" | "direct";
  url: string;
  /** The write key capture mode sends (--key, else API_KEY from the environment or .env). */
  key: string | undefined;
  seed: number;
  concurrency: number;
  help: boolean;
}

export const usage = `Loads a realistic synthetic dataset into InsightPlus.

  tsx scripts/demo-data.ts [--events 100000] [--days 90] [--mode capture|direct]
                           [--url http://localhost:7002] [--key <write key>] [--seed 42] [--concurrency 4]

  --events       how many events (default 100000)
  --days         spread over this many days back to the start of this hour (default 90)
  --mode         capture: POST /api/v1/batch to a running server (default)
                 direct:  insert straight into the database configured by the
                          environment / .env (DATABASE_TYPE, CLICKHOUSE_*, POSTGRES_*,
                          DATA_DIR); with the embedded database the server must be stopped
  --url          server for capture mode (default http://localhost:$PORT, PORT=7002)
  --key          the project's write key for capture mode (default $API_KEY); the first
                 \`npm start\` prints the default project's, \`npm run keys -- list\` shows it again
  --seed         same seed, same event ids: a rerun counts once (default 42)
  --concurrency  capture requests in flight (default 4)`;

/** Parses argv; throws an Error naming the bad option. */
export function parseDemoArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DemoCliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: "string" },
      days: { type: "string" },
      mode: { type: "string" },
      url: { type: "string" },
      key: { type: "string" },
      seed: { type: "string" },
      concurrency: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const mode = values.mode ?? "capture";
  if (mode !== "capture" && mode !== "direct") throw new Error(`--mode must be capture or direct, not "${mode}"`);
  const url = values.url ?? `http://localhost:${env.PORT?.trim() || 7002}`;
  try {
    new URL(url);
  } catch {
    throw new Error(`--url "${url}" is not a URL`);
  }
  return {
    events: int("events", values.events, 100_000, 1, 1e9),
    days: int("days", values.days, 90, 1, 3650),
    mode,
    url: url.replace(/\/+$/, ""),
    key: values.key ?? (env.API_KEY?.trim() || undefined),
    seed: int("seed", values.seed, 42, 0, 2 ** 32 - 1),
    concurrency: int("concurrency", values.concurrency, 4, 1, 64),
    help: values.help ?? false,
  };
}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
}
