import { readFile } from "node:fs/promises";
import { table } from "./report.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** This checkout, as profiles write script URLs. */
const repoRoot = new URL("../../", import.meta.url).href;

/** Where a script lives, coarsely: an npm package, a directory of ours, or a Node/V8 bucket. */
function areaOf(url: string, fn: string): string {
  if (url === "") return fn.startsWith("(") ? fn : "(native)";
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  if (url.startsWith(repoRoot)) {
    const [layer, sub] = url.slice(repoRoot.length).split("/");
    return sub && !sub.includes(".") ? `${layer}/${sub}` : layer;
  }
  return url;
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/node_modules\//, "").replace(repoRoot, "");
}

/** Top self-time functions and areas of a V8 CPU profile (as written by `node --cpu-prof`). */
export async function summarizeProfile(path: string, top = 20): Promise<string> {
  const p = JSON.parse(await readFile(path, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") {
      idle += us;
      continue;
    }
    busy += us;
    const key = `${functionName || "(anonymous)"}  ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ""}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => [name, `${(us / 1000).toFixed(0)} ms`, `${((us / busy) * 100).toFixed(1)}%`]);
  return [
    `busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s (${((busy / (busy + idle)) * 100).toFixed(0)}% busy over the whole run)`,
    "",
    table(["Top self time: function  location", "Self", "% busy"], rows(fns, top)),
    "",
    table(["Self time by area", "Self", "% busy"], rows(areas, 15)),
  ].join("\n");
}

// `npx tsx bench/profile-summary.ts file.cpuprofile [top]` summarizes a profile on its own.
if (import.meta.url === `file://${process.argv[1]}`) {
  summarizeProfile(process.argv[2], Number(process.argv[3] ?? 20)).then(console.log, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
