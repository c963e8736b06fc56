import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { postJson } from "./http-client.js";
import { asAdmin } from "./test-keys.js";

/** A project the admin API made: its id and the keys it answered with (the read key shown only then). */
export interface MadeProject {
  id: string;
  writeKey: string;
  readKey: string;
}

/** Creates a project over the admin REST API with the test admin key; throws unless it was made. */
export async function createProject(baseUrl: string, fields: Record<string, unknown>): Promise<MadeProject> {
  const made = await postJson(`${baseUrl}/api/v1/admin/projects`, fields, asAdmin);
  if (made.status !== 200) throw new Error(`creating a project (${JSON.stringify(fields)}) answered ${made.status}: ${made.text}`);
  return { id: made.json.project.id, writeKey: made.json.writeKey, readKey: made.json.readKey };
}

/** The keys the admin listing (GET /admin/projects) shows for a project. */
export async function listedKeys(baseUrl: string, projectId: string): Promise<any[]> {
  const listed = (await (await fetch(`${baseUrl}/api/v1/admin/projects`, { headers: asAdmin })).json()) as any;
  return listed.projects.find((p: any) => p.project.id === projectId).keys;
}

const execFileAsync = promisify(execFile);

/** `npm run keys -- <args>` as the built engine runs it (dist/keys-cli.js: buildEngine first), with `env` over this process's. */
export function runKeysCli(args: string[], env: NodeJS.ProcessEnv) {
  return execFileAsync(process.execPath, ["dist/keys-cli.js", ...args], { env: { ...process.env, ...env } });
}
