import os from "node:os";

/** The line a bench prints first: the BENCH_* settings it ran with, then how to run it again. */
export function commandLine(script: string, prefix = "BENCH_"): string {
  const settings = Object.entries(process.env)
    .filter(([n]) => n.startsWith(prefix))
    .map(([n, v]) => `${n}=${v} `)
    .join("");
  return `command: ${settings}npx tsx ${script}`;
}

/** The CPU model, its count and Node's version, for a bench's machine line. */
export function machineSummary(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "?"}, ${cpus.length} cores, node ${process.version}`;
}
