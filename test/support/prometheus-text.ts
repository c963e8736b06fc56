/** One sample line of Prometheus's text format: `name{label="value",…} number`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** Each metric family's declared type (# TYPE). */
  types: Map<string, string>;
  samples: Sample[];
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses the text exposition format (version 0.0.4) strictly enough to fail on
 * what Prometheus would refuse: a line that is neither a comment nor a sample,
 * a value that is not a number, a sample of a family whose TYPE came after it.
 * (The npm parsers tried lose histogram labels, so the tests use this.)
 */
export function parsePrometheusText(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ")) continue;
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      types.set(name, type);
      continue;
    }
    const m = sampleLine.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    // As Prometheus reads it (Go's ParseFloat): NaN and Inf in any case (prom-client writes "Nan").
    const word = m[3].toLowerCase();
    const value = word === "nan" ? Number.NaN : /^[+-]?inf$/.test(word) ? (word.startsWith("-") ? -Infinity : Infinity) : Number(m[3]);
    if (Number.isNaN(value) && word !== "nan") throw new Error(`not a number: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, "");
    if (!types.has(m[1]) && !types.has(family)) throw new Error(`a sample before its # TYPE: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(label)) labels[k] = v.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}
