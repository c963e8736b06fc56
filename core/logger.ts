import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";

/** json: one JSON object a line (for log collectors); pretty: lines a person reads; auto: pretty when stdout is a terminal. */
export type LogFormat = "auto" | "json" | "pretty";

/**
 * The process's logger; secrets are never logged (URLs are redacted of
 * credentials by callers). pino-pretty runs in this thread, as a stream,
 * not as a transport: no worker thread, and nothing to resolve by path in
 * the bundled build.
 */
export function createLogger(level: string, format: LogFormat = "auto", destination: DestinationStream = process.stdout): Logger {
  const options = { level, base: { service: "insightplus" } };
  const readable = format === "pretty" || (format === "auto" && (destination as { isTTY?: boolean }).isTTY === true);
  if (!readable) return pino(options, destination);
  return pino(options, pretty({ destination, colorize: format === "auto", translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service", sync: true }));
}

/** A URL safe to log: the password is masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<invalid url>";
  }
}
