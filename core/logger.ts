import pino, { type Logger } from "pino";

/** Structured JSON logs; secrets never logged (URLs are redacted of credentials by callers). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "insightplus" } });
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
