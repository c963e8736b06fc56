import type { FastifyRequest } from "fastify";
import type { Keyring } from "../../access/keyring.js";
import { anyEventName, type CaptureTarget, type EventNameRule, eventNameRule } from "../../capture/capture-target.js";
import { defaultEnrichment, type EnrichmentSettings } from "../../capture/enrichment/enrichment-settings.js";
import type { Project } from "../../core/access/project-model.js";

/** Which API the events came through: ours, or a drop-in one (PostHog, Segment), whose SDKs send names of their own. */
export type CaptureDoor = "native" | "compatible";

export type CaptureTargets = (projectId: string, door: CaptureDoor, req: FastifyRequest) => CaptureTarget;

/**
 * A checked caller's capture target: its project, the event names that
 * project takes at that door (the project's own list; else ALLOWED_EVENTS on
 * the native API, and on the compatible ones too when the operator set it,
 * any name there otherwise), and its enrichment
 * with what the request says of the client (User-Agent, address). Rules and
 * settings are made once per project as loaded, not per request.
 */
export function createCaptureTargets(deps: { keyring: Keyring; allowedEvents: readonly string[]; allowedEventsSet: boolean }): CaptureTargets {
  const serverRule = eventNameRule(deps.allowedEvents, "set ALLOWED_EVENTS to change");
  const compatibleRule = deps.allowedEventsSet ? serverRule : anyEventName;
  const made = new WeakMap<Project, { rule?: EventNameRule; enrichment: EnrichmentSettings }>();
  function settingsOf(project: Project | undefined) {
    if (!project) return { enrichment: defaultEnrichment };
    let s = made.get(project);
    if (!s) {
      const listed = project.settings.allowedEvents;
      const hint = `the project's allowed events (npm run keys -- update-project ${project.id} --allowed-events …)`;
      s = { rule: listed && eventNameRule(listed, hint), enrichment: { ...defaultEnrichment, ...project.settings.enrichment } };
      made.set(project, s);
    }
    return s;
  }
  return (projectId, door, req) => {
    const s = settingsOf(deps.keyring.project(projectId));
    const userAgent = req.headers["user-agent"];
    return {
      projectId,
      eventNames: s.rule ?? (door === "native" ? serverRule : compatibleRule),
      enrichment: { settings: s.enrichment, userAgent, ip: req.ip },
    };
  };
}
