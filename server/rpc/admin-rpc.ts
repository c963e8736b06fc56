import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminService, KeyInfo } from "../../access/admin-service.js";
import type { EnrichmentChoices, Project } from "../../core/access/project-model.js";
import type { AdminService as AdminServiceDesc } from "../../gen/insightplus/v1/admin_service_pb.js";

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : "");
const project = (p: Project) => ({
  id: p.id,
  name: p.name,
  origins: [...p.origins],
  retentionDays: p.retentionDays,
  createdAt: iso(p.createdAtMs),
  allowedEvents: p.settings.allowedEvents ?? [],
  enrichment: { ...p.settings.enrichment, bots: p.settings.enrichment?.bots ?? "" },
});

/** The switches a request set (proto3 optional fields left out stay undefined). */
function enrichmentOf(e: Partial<Record<keyof EnrichmentChoices, unknown>> | undefined): Record<string, unknown> | undefined {
  if (!e) return undefined;
  const out = Object.fromEntries(Object.entries(e).filter(([k, v]) => v !== undefined && !(k === "bots" && v === "") && !k.startsWith("$")));
  return Object.keys(out).length > 0 ? out : undefined;
}
const key = (k: KeyInfo) => ({
  id: k.id,
  projectId: k.projectId,
  kind: k.kind,
  hint: k.hint,
  key: k.key,
  label: k.label,
  createdAt: iso(k.createdAtMs),
  revokedAt: iso(k.revokedAtMs),
  fromEnvironment: k.fromEnvironment,
});

/** Thin AdminService implementation over the admin domain (behind admin keys, see server/access). */
export function createAdminRpc(admin: AdminService): ServiceImpl<typeof AdminServiceDesc> {
  return {
    async listProjects() {
      return { projects: (await admin.listProjects()).map((p) => ({ project: project(p.project), keys: p.keys.map(key) })) };
    },
    async createProject(req) {
      const made = await admin.createProject({
        id: req.id,
        name: req.name,
        origins: req.origins,
        retentionDays: req.retentionDays,
        allowedEvents: req.allowedEvents.length > 0 ? req.allowedEvents : undefined,
        enrichment: enrichmentOf(req.enrichment),
      });
      return { project: project(made.project), writeKey: made.writeKey, readKey: made.readKey };
    },
    async updateProject(req) {
      const updated = await admin.updateProject(req.projectId, {
        name: req.name,
        origins: req.setOrigins || req.origins.length > 0 ? req.origins : undefined,
        retentionDays: req.retentionDays,
        allowedEvents: req.setAllowedEvents || req.allowedEvents.length > 0 ? (req.allowedEvents.length > 0 ? req.allowedEvents : null) : undefined,
        enrichment: enrichmentOf(req.enrichment),
      });
      return { project: project(updated) };
    },
    async createKey(req) {
      const made = await admin.createKey(req.projectId, req.kind, req.label);
      return { key: key(made.key), secret: made.secret };
    },
    async revokeKey(req) {
      return { key: key(await admin.revokeKey(req.keyId)) };
    },
    async rotateKey(req) {
      const made = await admin.rotateKey(req.keyId);
      return { key: key(made.key), secret: made.secret, revoked: key(made.revoked) };
    },
    async eraseUser(req) {
      return { events: BigInt(await admin.eraseUser(req.projectId, req.distinctId)) };
    },
  };
}
