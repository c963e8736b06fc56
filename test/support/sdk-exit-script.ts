// Spawned by test/sdk-node.test.ts: captures and returns without calling
// shutdown(). The process must exit by itself (the SDK's timers are unref'd)
// and, with the server up, deliver on beforeExit. Prints uuids and drops as JSON lines.
import { init } from "../../sdk/src/node/index.js";
import { testKeys } from "./test-keys.js";

const client = init({
  host: process.env.INSIGHTPLUS_HOST!,
  apiKey: testKeys.write,
  flushIntervalMs: 60_000,
  shutdownTimeoutMs: Number(process.env.EXIT_TIMEOUT_MS ?? 5000),
  transport: (process.env.SDK_TRANSPORT as "grpc" | "json" | undefined) ?? "grpc",
  onDrop: (events, info) => console.log(JSON.stringify({ dropped: events.map((e) => e.uuid), reason: info.reason })),
  onError: () => undefined,
});
const count = Number(process.env.EVENTS ?? 5);
const uuids = [];
for (let i = 0; i < count; i++) uuids.push(client.capture("page_view", { i }, { distinctId: "exit-script" }));
console.log(JSON.stringify({ captured: uuids }));
