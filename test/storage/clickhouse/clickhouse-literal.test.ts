import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClickHouseClient, createClient } from "@clickhouse/client";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openChdbClient } from "../../../storage/clickhouse/chdb-client.js";
import { chDateTime, chInt, chString } from "../../../storage/clickhouse/clickhouse-literal.js";
import { chdbInstalled } from "../../support/chdb-database.js";

// Lone surrogates are kept in the input on purpose: UTF-8 cannot encode them, so
// the request body carries U+FFFD in their place, and that is what must come back.
// Asserting it proves chString passes them through without breaking the literal.
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
// Plain "binary" code points rarely hit the characters an escaper must handle, so those are drawn often.
const special = fc.constantFrom("'", "\\", '"', "`", "\0", "\x7f", "\n", "\r", "\t", "\b", "\x1b", "?", "{", "}", "%", ";", "-", "/", "*", "x");
const unit = fc.oneof(
  special,
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  loneSurrogate,
);
const batch = fc.array(fc.string({ unit, maxLength: 40 }), { minLength: 1, maxLength: 60 });

const utf8Hex = (s: string) => Buffer.from(s, "utf8").toString("hex").toUpperCase();

const injectionShaped = [
  "' OR 1=1 --",
  "\\' OR 1=1",
  "\\",
  "ends in a backslash\\",
  "\n; DROP TABLE x",
  "'; DROP TABLE x; --",
  "''",
  "'\\''",
  "\\x27 OR 1=1",
  "\\0",
  "\0' OR '1'='1",
  "/* comment */ SELECT 1",
  '`backtick` "double"',
  "{p:String} ? $1 %s",
  "\r\n\t\x7f\x01",
  "",
];

async function select<T>(client: ClickHouseClient, query: string): Promise<T> {
  const [row] = await (await client.query({ query, format: "JSONEachRow" })).json<T>();
  return row;
}

/** Each string as a literal in a SELECT list, and as the right side of `v = literal` in a WHERE. */
async function roundTrip(client: ClickHouseClient, strings: string[]) {
  const lits = strings.map(chString);
  const read = await select<{ vs: string[]; hexes: string[] }>(
    client,
    `SELECT vs, arrayMap(x -> hex(x), vs) AS hexes FROM (SELECT [${lits.join(", ")}] AS vs)`,
  );
  // v is built from the expected bytes independently (unhex), so a literal that is read wrongly matches nothing.
  const expected = `[${strings.map((s) => `'${utf8Hex(s)}'`).join(", ")}]`;
  const where = lits.map((lit, i) => `(i = ${i + 1} AND v = ${lit})`).join(" OR ");
  const hit = await select<{ matched: number[] }>(
    client,
    `SELECT groupArray(i) AS matched FROM (SELECT arrayJoin(arrayEnumerate(e)) AS i, unhex(e[i]) AS v FROM (SELECT ${expected} AS e)) WHERE ${where}`,
  );
  return { values: read.vs, hexes: read.hexes, matched: [...hit.matched].map(Number).sort((a, b) => a - b) };
}

function literalTests(open: () => Promise<{ client: ClickHouseClient; close(): Promise<void> }>) {
  let conn: { client: ClickHouseClient; close(): Promise<void> };
  beforeAll(async () => {
    conn = await open();
  });
  afterAll(async () => conn?.close());

  it("returns every random string verbatim from SELECT and matches it in WHERE", async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (strings) => {
        const got = await roundTrip(conn.client, strings);
        expect(got.values).toEqual(strings.map((s) => s.toWellFormed()));
        expect(got.hexes).toEqual(strings.map(utf8Hex));
        expect(got.matched).toEqual(strings.map((_, i) => i + 1));
      }),
      { numRuns: 20 },
    );
  });

  it("returns injection-shaped strings verbatim", async () => {
    const got = await roundTrip(conn.client, injectionShaped);
    expect(got.values).toEqual(injectionShaped);
    expect(got.matched).toEqual(injectionShaped.map((_, i) => i + 1));
  });

  it("renders DateTime literals as whole UTC seconds", async () => {
    const ms = Date.UTC(2024, 2, 10, 10, 15, 30, 999);
    const row = await select<{ t: string; s: string }>(
      conn.client,
      `SELECT toString(toUnixTimestamp(${chDateTime(ms)})) AS t, toString(${chDateTime(ms)}, 'UTC') AS s`,
    );
    expect(row).toEqual({ t: String(Math.floor(ms / 1000)), s: "2024-03-10 10:15:30" });
  });
}

describe.skipIf(!inject("clickhouseUrl"))("chString on ClickHouse 18.16", () =>
  literalTests(async () => {
    const client = createClient({ url: new URL(inject("clickhouseUrl")).origin });
    return { client, close: () => client.close() };
  }),
);

describe.skipIf(!chdbInstalled())(chdbInstalled() ? "chString on chdb (current ClickHouse)" : "chString on chdb: skipped, chdb is not installed", () =>
  literalTests(async () => {
    const dir = mkdtempSync(join(tmpdir(), "insightplus-chdb-literal-"));
    const client = await openChdbClient(dir);
    return {
      client,
      async close() {
        await client.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }),
);

describe("chInt", () => {
  it("renders safe integers as plain decimal", () => {
    expect([0, -7, 42, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER].map(chInt)).toEqual(["0", "-7", "42", "9007199254740991", "-9007199254740991"]);
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53), 1e21])("throws on %s", (n) => {
    expect(() => chInt(n)).toThrow(/not an integer/);
  });
});

describe("chDateTime", () => {
  it("floors milliseconds to whole seconds", () => {
    expect(chDateTime(1_710_065_730_999)).toBe("toDateTime(1710065730)");
    expect(chDateTime(1_710_065_730_000)).toBe("toDateTime(1710065730)");
  });

  it("refuses a time that is not a number", () => {
    expect(() => chDateTime(Number.NaN)).toThrow(/not an integer/);
  });
});
