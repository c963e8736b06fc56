/**
 * The child side of the bench's child processes: reports its port once
 * listening, answers CPU-usage queries, and stops on "stop", SIGTERM, or when
 * the parent goes away (IPC disconnect), so no child outlives the bench.
 */
export type ParentMessage = { type: "cpu"; id: number } | { type: "stop" };
export type ChildMessage = { type: "ready"; port: number } | { type: "cpu"; id: number; micros: number } | { type: "failed"; error: string };

export interface Started {
  port: number;
  close(): Promise<void>;
}

export function runChild(start: () => Promise<Started>): void {
  const send = (m: ChildMessage) => {
    if (process.connected) process.send!(m);
  };
  let stopping = false;
  let started: Started | undefined;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 5000).unref();
    await started?.close().catch(() => undefined);
    process.exit(0); // a normal exit, so --cpu-prof writes its profile
  };
  // Ctrl-C reaches the whole process group; the parent decides when children stop.
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", () => void stop());
  process.on("disconnect", () => void stop());
  process.on("message", (m: ParentMessage) => {
    if (m.type === "stop") void stop();
    if (m.type === "cpu") {
      const u = process.cpuUsage();
      send({ type: "cpu", id: m.id, micros: u.user + u.system });
    }
  });
  start().then(
    (s) => {
      started = s;
      send({ type: "ready", port: s.port });
      if (stopping) void s.close();
    },
    (err: unknown) => {
      send({ type: "failed", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    },
  );
}
