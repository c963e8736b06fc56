import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { getOption, hasOption } from "@bufbuild/protobuf";
import { http } from "../../gen/google/api/annotations_pb.js";

export interface HttpRoute {
  service: DescService;
  method: DescMethod;
  verb: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  /** Fastify path, `{name}` turned into `:name`. */
  path: string;
  /** The google.api.http `body`: "*" (whole body), a field name, or "" (no body). */
  body: string;
}

/** Every unary method of the services that carries a google.api.http annotation. */
export function httpRoutesOf(services: readonly DescService[]): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      if (method.methodKind !== "unary" || !hasOption(method, http)) continue;
      const rule = getOption(method, http);
      const { case: verb, value } = rule.pattern;
      if (verb === undefined || verb === "custom") continue;
      routes.push({
        service,
        method,
        verb: verb.toUpperCase() as HttpRoute["verb"],
        path: value.replace(/\{([^}=]+)(=[^}]*)?\}/g, ":$1"),
        body: rule.body,
      });
    }
  }
  return routes;
}
