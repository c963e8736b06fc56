/**
 * The keys a first start made for the default project, printed once to
 * standard output: not through the logger, so no log line ever holds a key.
 */
export function printFirstStartKeys(made: { writeKey?: string; readKey?: string }, write = (s: string) => process.stdout.write(s)): void {
  if (!made.writeKey && !made.readKey) return;
  const lines = ["", "InsightPlus made keys for the default project. They are shown this once:"];
  if (made.writeKey) lines.push(`  write key (capture; public, goes into web pages): ${made.writeKey}`);
  if (made.readKey) lines.push(`  read key  (analytics; secret):                    ${made.readKey}`);
  lines.push(
    "Send them as Authorization: Bearer <key> (or an x-api-key header).",
    "List projects and their write keys again:  npm run keys -- list",
    "A read key cannot be shown again; make another:  npm run keys -- create-key default --kind read",
    "",
  );
  write(`${lines.join("\n")}\n`);
}
