import { createServer, type Server } from "node:net";

/** `count` distinct loopback ports nothing listens on (bound, then released). */
export async function freePorts(count = 1): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise<void>((res, rej) => srv.once("error", rej).listen(0, "127.0.0.1", res));
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  }
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}
