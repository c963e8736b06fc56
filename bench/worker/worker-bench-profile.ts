/**
 * In-process CPU profile of the worker drain (BENCH_CPU_PROF=1): self time
 * grouped by where the code lives (protobuf decode, Redis client, ClickHouse
 * client, pg, worker code, Node internals, GC, idle) plus the top functions.
 */
import { Session } from "node:inspector/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const areas: Array<[RegExp, string]> = [
  [/^node:inspector/, "the profiler itself"],
  [/@bufbuild\/protobuf|queued-event-codec|\/gen\//, "protobuf decode"],
  [/ioredis|redis-parser|denque|cluster-key-slot/, "Redis client (ioredis)"],
  [/redis-stream-consumer|stream-trimmer/, "queue adapter (server/queue)"],
  [/@clickhouse\//, "ClickHouse client (serialize + HTTP)"],
  [/node_modules\/(pg|pg-protocol|pg-types|pg-pool)\//, "pg client"],
  [/\/worker\//, "worker code (consumer, sink, batch-writer)"],
  [/node:|^internal|^node:/, "Node internals (net, http, streams, timers)"],
  [/\/bench\//, "bench itself"],
];

function areaOf(node: ProfileNode, parentArea: string): string {
  const { functionName, url } = node.callFrame;
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "idle (waiting on Redis / database)";
  if (functionName === "(program)") return "V8 (program)";
  for (const [re, name] of areas) if (re.test(url)) return name;
  return url ? "other JS" : parentArea; // builtins (JSON.stringify, Buffer ops) count for their caller
}

export async function withCpuProfile<T>(fn: () => Promise<T>): Promise<{ value: T; summary: string }> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    const value = await fn();
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
    return { value, summary: summarize(profile) };
  } finally {
    session.disconnect(); // also stops a profile left running by a failure
  }
}

function summarize(p: Profile): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const area = new Map<number, string>();
  const visit = (id: number, parent: string) => {
    const n = byId.get(id)!;
    const a = areaOf(n, parent);
    area.set(id, a);
    for (const c of n.children ?? []) visit(c, a);
  };
  visit(p.nodes[0].id, "other JS");
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const sum = (key: (id: number) => string) => {
    const m = new Map<string, number>();
    for (const [id, us] of selfUs) m.set(key(id), (m.get(key(id)) ?? 0) + us);
    return [...m].sort((a, b) => b[1] - a[1]);
  };
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const fnName = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*?\/(worker|server|bench|gen)\//, "$1/");
    return `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : `[${area.get(id)}]`}`;
  };
  const lines = [`  wall ${(total / 1e6).toFixed(2)} s sampled; self time by area:`];
  for (const [a, us] of sum((id) => area.get(id)!)) lines.push(`    ${pct(us)}  ${a}`);
  lines.push("  top functions (self time):");
  for (const [f, us] of sum(fnName).slice(0, 18)) lines.push(`    ${pct(us)}  ${f}`);
  return lines.join("\n");
}
