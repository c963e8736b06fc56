import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnalyticsService } from "../../gen/insightplus/v1/analytics_service_pb.js";
import { CaptureService } from "../../gen/insightplus/v1/capture_service_pb.js";
import { createTestDatabase, type TestDatabase } from "../support/databases.js";
import { grpcJsKey } from "../support/grpc-js-key.js";
import { postJson } from "../support/http-client.js";
import { type InProcessServer, startInProcessServer } from "../support/server/in-process-server.js";
import { asAdmin, sendingKey, testKeys, withBasicKey, withKey } from "../support/test-keys.js";

// Every protocol meets the same access check: the same refusal for the same
// key, and nothing queued when refused.
let db: TestDatabase;
let server: InProcessServer;
const keys = { write: "", read: "", revokedWrite: "", revokedRead: "" };

/** What a call came to, the same words for every protocol. */
type Outcome = "ok" | "unauthenticated" | "permission_denied" | string;

const httpOutcome: Record<number, Outcome> = { 200: "ok", 401: "unauthenticated", 403: "permission_denied" };
const connectOutcome = (e: unknown): Outcome => (e instanceof ConnectError ? Code[e.code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase() : String(e));
const grpcJsOutcome = (e: grpc.ServiceError | null): Outcome => (e === null ? "ok" : (grpc.status[e.code] ?? String(e.code)).toLowerCase());

const transports: Record<string, (key?: string) => Transport> = {
  "Connect JSON": (key) => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: key ? [sendingKey(key)] : [] }),
  "Connect binary (HTTP/2)": (key) =>
    createConnectTransport({ baseUrl: server.url, httpVersion: "2", useBinaryFormat: true, interceptors: key ? [sendingKey(key)] : [] }),
  "gRPC (h2c)": (key) => createGrpcTransport({ baseUrl: server.url, interceptors: key ? [sendingKey(key)] : [] }),
  "gRPC-Web": (key) => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: key ? [sendingKey(key)] : [] }),
};

/** Both services' grpc-js clients, from the .proto files as another team's codegen would read them (loaded once). */
const grpcJsServices = (
  grpc.loadPackageDefinition(
    protoLoader.loadSync(["insightplus/v1/capture_service.proto", "insightplus/v1/analytics_service.proto"], { includeDirs: ["proto", "third_party"] }),
  ) as any
).insightplus.v1;

function grpcJsClient(service: "CaptureService" | "AnalyticsService", key?: string) {
  const Client = grpcJsServices[service];
  return new Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), { interceptors: key ? [grpcJsKey(key)] : [] });
}

/** One capture call over `protocol`, presenting `key` (or none). */
async function capture(protocol: string, key?: string): Promise<Outcome> {
  const event = { event: "page_view", distinctId: "access-check" };
  if (protocol === "REST") {
    return httpOutcome[(await postJson(`${server.url}/api/v1/capture`, event, key ? withKey(key) : { authorization: "" })).status];
  }
  if (protocol === "REST, x-api-key") {
    return httpOutcome[(await postJson(`${server.url}/api/v1/batch`, { events: [event] }, { authorization: "", ...(key ? { "x-api-key": key } : {}) })).status];
  }
  if (protocol === "@grpc/grpc-js") {
    const client = grpcJsClient("CaptureService", key);
    try {
      return await new Promise((resolve) => client.capture(event, (e: grpc.ServiceError | null) => resolve(grpcJsOutcome(e))));
    } finally {
      client.close();
    }
  }
  return createClient(CaptureService, transports[protocol](key))
    .capture(event)
    .then(() => "ok", connectOutcome);
}

/** One analytics call over `protocol`. */
async function ask(protocol: string, key?: string): Promise<Outcome> {
  if (protocol === "REST" || protocol === "REST, x-api-key") {
    const header: Record<string, string> = !key ? {} : protocol === "REST" ? withKey(key) : { "x-api-key": key };
    return httpOutcome[(await fetch(`${server.url}/api/v1/analytics/total-events`, { headers: header })).status];
  }
  if (protocol === "@grpc/grpc-js") {
    const client = grpcJsClient("AnalyticsService", key);
    try {
      return await new Promise((resolve) => client.getTotalEvents({}, (e: grpc.ServiceError | null) => resolve(grpcJsOutcome(e))));
    } finally {
      client.close();
    }
  }
  return createClient(AnalyticsService, transports[protocol](key))
    .getTotalEvents({})
    .then(() => "ok", connectOutcome);
}

const admin = (path: string, body: unknown = {}) => postJson(`${server.url}/api/v1/admin/${path}`, body, asAdmin);

beforeAll(async () => {
  db = await createTestDatabase("postgres");
  server = await startInProcessServer({ env: db.env });
  const made = await admin("projects", { name: "Access check" });
  expect(made.status).toBe(200);
  keys.write = made.json.writeKey;
  keys.read = made.json.readKey;
  const projectId = made.json.project.id;
  for (const [kind, name] of [
    ["write", "revokedWrite"],
    ["read", "revokedRead"],
  ] as const) {
    const extra = await admin(`projects/${projectId}/keys`, { kind });
    expect((await admin(`keys/${extra.json.key.id}/revoke`)).status).toBe(200);
    keys[name] = extra.json.secret;
  }
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const protocols = ["REST", "REST, x-api-key", "Connect JSON", "Connect binary (HTTP/2)", "gRPC (h2c)", "gRPC-Web", "@grpc/grpc-js"];

describe.each(protocols)("over %s", (protocol) => {
  it("capture refuses no key, a wrong key, a revoked key and a read key, and stores nothing", async () => {
    const before = await server.streams.length();
    expect(await capture(protocol)).toBe("unauthenticated");
    expect(await capture(protocol, "ipw_not-a-key-of-this-server")).toBe("unauthenticated");
    expect(await capture(protocol, keys.revokedWrite)).toBe("unauthenticated");
    expect(await capture(protocol, keys.read)).toBe("permission_denied");
    expect(await capture(protocol, testKeys.admin)).toBe("permission_denied");
    expect(await server.streams.length()).toBe(before);
    expect(await capture(protocol, keys.write)).toBe("ok");
    expect(await server.streams.length()).toBe(before + 1);
  });

  it("analytics refuse no key, a wrong key, a revoked key and a write key, and answer the read key", async () => {
    expect(await ask(protocol)).toBe("unauthenticated");
    expect(await ask(protocol, "ipr_not-a-key-of-this-server")).toBe("unauthenticated");
    expect(await ask(protocol, keys.revokedRead)).toBe("unauthenticated");
    expect(await ask(protocol, keys.write)).toBe("permission_denied");
    expect(await ask(protocol, keys.read)).toBe("ok");
  });
});

describe("the project a key names", () => {
  it("is the project its events are queued in", async () => {
    const res = await postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "stamped" }, withKey(keys.write));
    const defaultOne = await postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "stamped" });
    const events = await server.streamEvents();
    expect(events.find((e) => e.uuid === res.json.eventId)?.projectId).toBe("access-check");
    expect(events.find((e) => e.uuid === defaultOne.json.eventId)?.projectId).toBe("default");
  });

  it("an Authorization header that holds no key is refused, not taken for no key", async () => {
    for (const authorization of ["Token abc", "Bearer", `Basic ${Buffer.from(":").toString("base64")}`]) {
      const res = await postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "u" }, { authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.json.message).toContain("Authorization header");
    }
    // Segment's clients: the key as the Basic user name, no password.
    expect((await postJson(`${server.url}/api/v1/capture`, { event: "page_view", distinctId: "u" }, withBasicKey(keys.write))).status).toBe(200);
  });

  it("admin operations need the admin key", async () => {
    expect((await fetch(`${server.url}/api/v1/admin/projects`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/admin/projects`, { headers: withKey(keys.read) })).status).toBe(403);
    const listed = (await (await fetch(`${server.url}/api/v1/admin/projects`, { headers: asAdmin })).json()) as any;
    const project = listed.projects.find((p: any) => p.project.id === "access-check");
    // Write keys are listed whole (public); read keys by their first characters only.
    expect(project.keys.find((k: any) => k.kind === "write" && !k.revokedAt).key).toBe(keys.write);
    expect(JSON.stringify(listed)).not.toContain(keys.read);
  });
});
