/** Strings in the order ClickHouse and PostgreSQL (COLLATE "C") sort them: by their UTF-8 bytes. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
