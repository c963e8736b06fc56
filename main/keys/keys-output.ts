import type { KeyInfo } from "../../access/admin-service.js";
import type { Project } from "../../core/access/project-model.js";
import type { KeysCommand } from "./keys-commands.js";

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function keyLine(k: KeyInfo): string {
  const shown = k.fromEnvironment ? `${k.hint} (set by ${k.label})` : k.key || k.hint;
  const state = k.revokedAtMs > 0 ? `revoked ${day(k.revokedAtMs)}` : "in use";
  const label = k.label && !k.fromEnvironment ? `  "${k.label}"` : "";
  return `  ${k.kind.padEnd(5)}  ${k.id.padEnd(20)}  ${shown}  ${state}${label}`;
}

function projectLine(p: Project): string {
  const origins = p.origins.length > 0 ? p.origins.join(" ") : "CORS_ORIGINS";
  const retention = p.retentionDays > 0 ? `${p.retentionDays} days` : "forever";
  const events = p.settings.allowedEvents ? `  events ${p.settings.allowedEvents.join(" ")}` : "";
  const enrichment = p.settings.enrichment ? `  enrichment ${JSON.stringify(p.settings.enrichment)}` : "";
  return `${p.id}  "${p.name}"  origins ${origins}  keeps events ${retention}${events}${enrichment}`;
}

const once = "(shown this once: store it now)";

/** What runKeysCommand answers, by command (a field is there for the commands that give it). */
interface KeysResult {
  projects: Array<{ project: Project; keys: KeyInfo[] }>;
  project: Project;
  writeKey: string;
  readKey: string;
  key: KeyInfo;
  secret: string;
  revoked: KeyInfo;
  projectId: string;
  distinctId: string;
  erasedEvents: number;
}

const newKey = (r: KeysResult) => `${r.key.kind} key ${r.key.id}${r.key.projectId ? ` of project ${r.key.projectId}` : ""}`;
const secretLine = (r: KeysResult) => `  ${r.secret}${r.key.kind === "write" ? "" : `  ${once}`}`;

/** What a person reads for each command's result (`--json` prints the result as it is). */
export function describeResult(c: KeysCommand, result: unknown): string {
  const r = result as KeysResult;
  switch (c.name) {
    case "list":
      return r.projects
        .map(({ project, keys }) => [project.id === "" ? "admin keys (every project)" : projectLine(project), ...keys.map(keyLine)].join("\n"))
        .join("\n\n");
    case "create-project":
      return [`created ${projectLine(r.project)}`, `  write key: ${r.writeKey}`, `  read key:  ${r.readKey}  ${once}`].join("\n");
    case "update-project":
      return `updated ${projectLine(r.project)}`;
    case "create-key":
      return `created ${newKey(r)}:\n${secretLine(r)}`;
    case "revoke":
      return `revoked ${newKey(r)}`;
    case "rotate":
      return `new ${newKey(r)}:\n${secretLine(r)}\nrevoked ${r.revoked.id}`;
    case "erase":
      return `erased ${r.erasedEvents} events of ${r.distinctId} in project ${r.projectId}`;
    default:
      return JSON.stringify(result, null, 2);
  }
}
