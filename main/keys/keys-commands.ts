import type { AdminService } from "../../access/admin-service.js";
import { InvalidInputError } from "../../core/errors/domain-errors.js";

/** One `npm run keys` command, as parsed from its arguments (and as sent over the admin socket). */
export interface KeysCommand {
  name: string;
  args: string[];
  options: Record<string, string | true>;
}

export const keysUsage = `Usage: npm run keys -- <command> [options]   (add --json for output a script can read)
  list                                   projects with their keys (write keys whole; read and admin keys by their first characters)
  create-project <name> [--id <id>] [--origins <a,b>] [--retention-days <n>] [--allowed-events <a,b|*>] [--enrichment <k=v,…>]
                                         a project with a write key and a read key (the read key is shown this once)
  update-project <id> [--name <name>] [--origins <a,b> | --no-origins] [--retention-days <n>]
                 [--allowed-events <a,b|*> | --no-allowed-events] [--enrichment <k=v,…>]
                                         enrichment: userAgent, referrer, utm, country, storeIp = on|off; bots = flag|drop|keep
  create-key <project> --kind write|read|admin [--label <text>]
  revoke <key id>                        refused by every server within seconds
  rotate <key id>                        a new key of the same project and kind; the old one is revoked
  erase <project> <distinct id>          deletes every stored event of that user (rollups included)`;

/** The options each command takes (flags take no value). */
const commandOptions: Record<string, { options: readonly string[]; flags?: readonly string[] }> = {
  list: { options: [] },
  "create-project": { options: ["id", "origins", "retention-days", "allowed-events", "enrichment"] },
  "update-project": { options: ["name", "origins", "retention-days", "allowed-events", "enrichment"], flags: ["no-origins", "no-allowed-events"] },
  "create-key": { options: ["kind", "label"] },
  revoke: { options: [] },
  rotate: { options: [] },
  erase: { options: [] },
};

/**
 * Parses `<command> <args…> [--option value | --option=value | --flag]`;
 * throws InvalidInputError naming what is wrong (an unknown command or
 * option included), before anything is opened.
 */
export function parseKeysCommand(argv: readonly string[]): KeysCommand {
  const [name, ...rest] = argv;
  if (!name) throw new InvalidInputError("command", "is missing");
  const known = commandOptions[name];
  if (!known) throw new InvalidInputError("command", `${name} is not a command`);
  const flags = ["json", ...(known.flags ?? [])];
  const args: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith("--")) {
      args.push(a);
      continue;
    }
    const [flag, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (flags.includes(flag) && inline === undefined) options[flag] = true;
    else if (!known.options.includes(flag)) throw new InvalidInputError(`--${flag}`, `is not an option of ${name}`);
    else if (inline !== undefined) options[flag] = inline;
    else if (i + 1 < rest.length) options[flag] = rest[++i];
    else throw new InvalidInputError(`--${flag}`, "needs a value");
  }
  return { name, args, options };
}

const list = (v: string | true | undefined) =>
  typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

/** `country=on,bots=drop` → { country: true, bots: "drop" } (the admin domain checks names and values). */
function enrichmentOption(v: string | true | undefined): Record<string, unknown> | undefined {
  if (typeof v !== "string") return undefined;
  const switchValue = (x: string) => (/^(on|true|yes)$/i.test(x) ? true : /^(off|false|no)$/i.test(x) ? false : x);
  return Object.fromEntries(
    v
      .split(",")
      .filter(Boolean)
      .map((pair) => {
        const [key, value = ""] = pair.split("=");
        return [key.trim(), switchValue(value.trim())];
      }),
  );
}

function wholeNumber(v: string | true | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d+$/.test(v)) throw new InvalidInputError(field, "must be a whole number");
  return Number(v);
}

function need(c: KeysCommand, count: number, what: string): string[] {
  if (c.args.length !== count) throw new InvalidInputError(c.name, `takes ${what}`);
  return c.args;
}

/** Runs a command against the admin domain; the result is what `--json` prints. */
export async function runKeysCommand(admin: AdminService, c: KeysCommand): Promise<unknown> {
  const o = c.options;
  switch (c.name) {
    case "list":
      need(c, 0, "no arguments");
      return { projects: await admin.listProjects() };
    case "create-project": {
      const [name] = need(c, 1, "a project name");
      const made = await admin.createProject({
        name,
        id: typeof o.id === "string" ? o.id : undefined,
        origins: list(o.origins),
        retentionDays: wholeNumber(o["retention-days"], "--retention-days"),
        allowedEvents: list(o["allowed-events"]),
        enrichment: enrichmentOption(o.enrichment),
      });
      return { project: made.project, projectId: made.project.id, writeKey: made.writeKey, readKey: made.readKey };
    }
    case "update-project": {
      const [id] = need(c, 1, "a project id");
      const project = await admin.updateProject(id, {
        name: typeof o.name === "string" ? o.name : undefined,
        origins: o["no-origins"] ? [] : list(o.origins),
        retentionDays: wholeNumber(o["retention-days"], "--retention-days"),
        allowedEvents: o["no-allowed-events"] ? null : list(o["allowed-events"]),
        enrichment: enrichmentOption(o.enrichment),
      });
      return { project };
    }
    case "create-key": {
      const [project] = need(c, 1, "a project id");
      if (typeof o.kind !== "string") throw new InvalidInputError("--kind", "is required (write, read or admin)");
      return admin.createKey(project, o.kind, typeof o.label === "string" ? o.label : "");
    }
    case "revoke":
      return { key: await admin.revokeKey(need(c, 1, "a key id")[0]) };
    case "rotate":
      return admin.rotateKey(need(c, 1, "a key id")[0]);
    case "erase": {
      const [project, distinctId] = need(c, 2, "a project id and a distinct id");
      return { projectId: project, distinctId, erasedEvents: await admin.eraseUser(project, distinctId) };
    }
    default:
      throw new InvalidInputError("command", `${c.name} is not a command`);
  }
}
