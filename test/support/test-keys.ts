import type { Interceptor } from "@connectrpc/connect";

/**
 * The keys every test server is started with, as its configuration would set
 * them (API_KEY, READ_API_KEY, ADMIN_API_KEY): the default project's write and
 * read key and an admin key. Tests of other things send them as real clients do.
 */
export const testKeys = {
  write: "ipw_test-write-key-of-the-default-project",
  read: "ipr_test-read-key-of-the-default-project",
  admin: "ipa_test-admin-key-of-this-deployment",
} as const;

export const testKeyEnv = { API_KEY: testKeys.write, READ_API_KEY: testKeys.read, ADMIN_API_KEY: testKeys.admin };

/** Request headers presenting a key. */
export const withKey = (key: string) => ({ authorization: `Bearer ${key}` });
export const asWriter = withKey(testKeys.write);
export const asReader = withKey(testKeys.read);
export const asAdmin = withKey(testKeys.admin);
/** Request headers presenting a key as Segment's clients do: the HTTP Basic user name, no password. */
export const withBasicKey = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` });

/** GET an analytics route (or any path) with the read key and parse its JSON. */
export async function readJson(url: string, key: string = testKeys.read): Promise<any> {
  return (await fetch(url, { headers: withKey(key) })).json();
}

/** A connect-es interceptor presenting `key` on every call (gRPC metadata and HTTP headers alike). */
export const sendingKey =
  (key: string = testKeys.write): Interceptor =>
  (next) =>
  (req) => {
    req.header.set("authorization", `Bearer ${key}`);
    return next(req);
  };
