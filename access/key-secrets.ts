import { hash, randomBytes } from "node:crypto";
import type { KeyKind } from "../core/access/project-model.js";

/** Prefixes tell the kinds apart at a glance (and in leaked-secret scanners). */
export const keyPrefixes: Record<KeyKind, string> = { write: "ipw_", read: "ipr_", admin: "ipa_" };

export interface NewKey {
  id: string;
  /** The key itself: shown once (read and admin keys), never stored. */
  secret: string;
  /** SHA-256 of the key, hex: what is stored and looked up. */
  hash: string;
  /** The first characters, to tell keys apart in listings. */
  hint: string;
}

/** A new key of `kind`: 192 random bits, so a plain SHA-256 is enough to store it (no salt or slow hash needed). */
export function generateKey(kind: KeyKind): NewKey {
  const secret = keyPrefixes[kind] + randomBytes(24).toString("base64url");
  return { id: `key_${randomBytes(8).toString("hex")}`, secret, hash: hashKey(secret), hint: hintOf(secret) };
}

/** SHA-256 of a presented key, hex (crypto.hash: one call, ~0.4 µs, where createHash took ~2 µs). */
export function hashKey(key: string): string {
  return hash("sha256", key);
}

export function hintOf(key: string): string {
  return `${key.slice(0, 8)}…`;
}
