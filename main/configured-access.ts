import type { Logger } from "pino";
import { type AccessCheck, createAccessCheck } from "../access/access-check.js";
import type { AccessStore } from "../access/access-store.js";
import { createKeyring, type Keyring } from "../access/keyring.js";
import type { Config } from "../core/config/config.js";

/** The configuration's keys and the database's, as every process that checks or changes keys holds them. */
export function configuredKeyring(config: Config, store: () => Promise<AccessStore>, logger: Logger): Keyring {
  const a = config.access;
  return createKeyring({ store, configured: a.configuredKeys, refreshMs: a.keyRefreshMs, retryAfterSeconds: config.retryAfterSeconds, logger });
}

/** The one access check, with the configuration's policy. */
export function configuredAccessCheck(config: Config, keyring: Keyring): AccessCheck {
  const a = config.access;
  return createAccessCheck({ keyring, policy: { keylessCapture: a.keylessCapture, readKeyRequired: a.readKeyRequired, defaultOrigins: config.corsOrigins } });
}
