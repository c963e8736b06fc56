import type { Logger } from "pino";
import { ConfigError } from "../core/errors/config-error.js";

export interface RunningProcess {
  logger: Logger;
  /** Graceful: finish what is in hand (requests, batches, the in-process queue), then close. */
  stop(): Promise<void>;
}

/** Exit codes every entry point shares. */
export const exitCodes = { stopped: 0, failed: 1, invalidConfiguration: 2 } as const;

/**
 * Runs an entry point (server or worker) to its end: start(); on SIGTERM or
 * SIGINT, stop() and exit 0 (1 when the stop fails). A ConfigError at start
 * prints its message, naming the setting, and exits 2; any other start
 * failure exits 1. A signal during start-up exits at once: nothing has been
 * acknowledged yet.
 */
export function runProcess(name: string, start: () => Promise<RunningProcess>): void {
  let running: RunningProcess | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return; // `on`, not `once`: a wrapper (npm, tsx) may deliver the same signal again
    stopping = true;
    if (!running) {
      console.error(`${name}: ${signal} during start-up; exiting`);
      process.exit(exitCodes.stopped);
    }
    running.logger.info({ signal }, "shutting down: finishing what is in hand");
    running.stop().then(
      () => {
        running!.logger.info("stopped");
        process.exit(exitCodes.stopped);
      },
      (err: unknown) => {
        running!.logger.error({ err }, "shutdown failed");
        process.exit(exitCodes.failed);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  start().then(
    (r) => {
      running = r;
    },
    (e: unknown) => {
      if (e instanceof ConfigError) {
        console.error(`${name}: invalid configuration: ${e.message}`);
        process.exit(exitCodes.invalidConfiguration);
      }
      console.error(`${name}: failed to start:`, e instanceof Error ? e.message : e);
      process.exit(exitCodes.failed);
    },
  );
}
