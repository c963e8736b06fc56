import { defaultProjectId, type KeyKind, type Principal } from "../core/access/project-model.js";
import { PermissionDeniedError, UnauthenticatedError } from "../core/errors/domain-errors.js";
import type { Keyring } from "./keyring.js";

/** The doors of the API, each opened by one kind of key. */
export type Door = "capture" | "analytics" | "admin";

const kindFor: Record<Door, KeyKind> = { capture: "write", analytics: "read", admin: "admin" };

export interface AccessPolicy {
  /** Capture without a key goes to the default project (the original project's clients send none). */
  keylessCapture: boolean;
  /** Off only where the operator says the network is private: analytics without a key answer for the default project. */
  readKeyRequired: boolean;
  /** Origins allowed when a project lists none (CORS_ORIGINS); "*" allows any. */
  defaultOrigins: readonly string[];
}

/** What a request presents, as its transport read it. */
export interface Credentials {
  key: string | undefined;
  /** The Origin header of a browser request. */
  origin: string | undefined;
}

export interface AccessCheck {
  /** The caller a request acts for at `door`, or UnauthenticatedError (401) / PermissionDeniedError (403). */
  check(credentials: Credentials, door: Door): Principal | Promise<Principal>;
  /** Whether a browser page at `origin` may call any project (CORS preflight, before a key is seen). */
  originAllowedAnywhere(origin: string): boolean;
}

/** Whether a list of allowed origins ("*": any) lets `origin` in. */
const allows = (origins: readonly string[], origin: string) => origins.includes("*") || origins.includes(origin);

const what: Record<KeyKind, string> = { write: "a write key (ipw_…)", read: "a read key (ipr_…)", admin: "an admin key (ipa_…)" };
const howToSend = "(send it as Authorization Bearer <key> or in an x-api-key header)";

/**
 * The one access check every protocol's requests pass (server/access
 * guards each RPC with it): key kind against the door, the project's
 * allowed browser origins for capture. Messages avoid URI-reserved
 * characters (grpc-js shows grpc-message through decodeURI).
 */
export function createAccessCheck(deps: { keyring: Keyring; policy: AccessPolicy }): AccessCheck {
  const { keyring, policy } = deps;

  function allowedOrigin(projectId: string, origin: string | undefined): boolean {
    if (origin === undefined) return true; // not a browser: CORS is the browser's rule, not a credential
    const listed = keyring.project(projectId)?.origins ?? [];
    const origins = listed.length > 0 ? listed : policy.defaultOrigins;
    return allows(origins, origin);
  }

  function principalFor(door: Door, projectId: string, kind: KeyKind, keyId: string, origin: string | undefined): Principal {
    if (door === "capture" && !allowedOrigin(projectId, origin)) {
      throw new PermissionDeniedError(`this page's origin may not send events to project ${projectId} (add it to the project's origins)`);
    }
    return { projectId, kind, keyId };
  }

  function withoutKey(door: Door, origin: string | undefined): Principal {
    if (door === "analytics" && !policy.readKeyRequired) {
      // Open analytics are for a private network, not for any web page a person there happens to visit.
      if (origin !== undefined && !policy.defaultOrigins.includes(origin)) {
        throw new PermissionDeniedError("analytics without a key are not served to web pages (list the page's origin in CORS_ORIGINS)");
      }
      return principalFor(door, defaultProjectId, "read", "", origin);
    }
    if (door === "capture" && policy.keylessCapture) return principalFor(door, defaultProjectId, "write", "", origin);
    throw new UnauthenticatedError(`${what[kindFor[door]]} is required ${howToSend}`);
  }

  function withEntry(door: Door, entry: Awaited<ReturnType<Keyring["lookup"]>>, origin: string | undefined): Principal {
    if (!entry) throw new UnauthenticatedError("the key is unknown or revoked");
    const needed = kindFor[door];
    if (entry.kind !== needed) {
      throw new PermissionDeniedError(`this is ${what[entry.kind]} and ${door} needs ${what[needed]}`);
    }
    return principalFor(door, entry.projectId, entry.kind, entry.id, origin);
  }

  return {
    check({ key, origin }, door) {
      if (key === undefined) return withoutKey(door, origin);
      const entry = keyring.lookup(key);
      return entry instanceof Promise ? entry.then((e) => withEntry(door, e, origin)) : withEntry(door, entry, origin);
    },
    originAllowedAnywhere(origin) {
      return allows(policy.defaultOrigins, origin) || keyring.projects().some((p) => allows(p.origins, origin));
    },
  };
}
