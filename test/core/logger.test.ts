import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger.js";

/** A destination that keeps what is written; `isTTY` as a terminal's stdout has it. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => chunks.join("") };
}

const isJson = (line: string) => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

describe("the engine's logs", () => {
  it("are one JSON object a line when stdout is not a terminal (auto), or when asked for json", () => {
    for (const [format, tty] of [
      ["auto", false],
      ["json", true],
    ] as const) {
      const out = sink(tty);
      createLogger("info", format, out.stream).info({ events: 3 }, "batch stored");
      const [line] = out.text().trim().split("\n");
      expect(JSON.parse(line)).toMatchObject({ level: 30, msg: "batch stored", events: 3, service: "insightplus" });
    }
  });

  it("are lines a person reads on a terminal (auto), or when asked for pretty", () => {
    for (const [format, tty] of [
      ["auto", true],
      ["pretty", false],
    ] as const) {
      const out = sink(tty);
      createLogger("info", format, out.stream).warn({ database: "clickhouse" }, "database not available");
      const text = out.text();
      expect(text).toContain("WARN");
      expect(text).toContain("database not available");
      expect(text).toContain("database");
      expect(text.split("\n").some(isJson)).toBe(false);
    }
  });

  it("leave out what is below the level", () => {
    const out = sink(false);
    const logger = createLogger("warn", "json", out.stream);
    logger.info("not shown");
    logger.error("shown");
    expect(
      out
        .text()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).msg),
    ).toEqual(["shown"]);
  });
});
