// The layers (README "Layout"): each folder imports only the ones listed for it.
// `npm run check:layers` fails on a wrong-way import.
const layers = {
  core: [],
  queue: ["core"],
  capture: ["core", "queue", "gen"],
  analytics: ["core"],
  access: ["core"],
  storage: ["core", "analytics", "access"],
  server: ["core", "capture", "analytics", "access", "gen"],
  worker: ["core", "access", "queue", "storage"],
  main: ["core", "capture", "analytics", "access", "queue", "storage", "server", "worker", "gen"],
  gen: [],
};
const ours = "^(core|access|capture|analytics|queue|storage|server|worker|main|gen|sdk|dashboard|test|bench|scripts)/";
const production = "^(core|access|capture|analytics|queue|storage|server|worker|main|gen)/";

module.exports = {
  forbidden: [
    ...Object.entries(layers).map(([layer, below]) => ({
      name: `layer-${layer}`,
      comment: `${layer}/ may import only ${below.length ? below.join(", ") : "nothing of ours"}`,
      severity: "error",
      from: { path: `^${layer}/` },
      to: { path: ours, pathNot: `^(${[layer, ...below].join("|")})/` },
    })),
    {
      name: "capture-uses-the-queue-seam-only",
      comment: "capture/ sees the queue through its interface (queue/event-queue.ts), never an implementation",
      severity: "error",
      from: { path: "^capture/" },
      to: { path: "^queue/", pathNot: "^queue/event-queue\\.ts$" },
    },
    {
      name: "sdk-is-its-own-package",
      comment: "sdk/ never imports the engine (nor the engine the SDK)",
      severity: "error",
      from: { path: "^sdk/" },
      to: { path: ours, pathNot: "^sdk/" },
    },
    {
      name: "dashboard-is-a-client-of-the-public-api",
      comment: "dashboard/ uses only the generated API code (gen/), never the engine",
      severity: "error",
      from: { path: "^dashboard/" },
      to: { path: ours, pathNot: "^(dashboard|gen)/" },
    },
    {
      name: "nothing-imports-tests-benches-or-scripts",
      severity: "error",
      from: { path: production },
      to: { path: "^(test|bench|scripts|sdk|dashboard)/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: { path: production },
      to: { circular: true },
    },
    {
      name: "production-code-uses-production-dependencies",
      comment: "a devDependency is not installed in the image (npm ci --omit=dev)",
      severity: "error",
      from: { path: production },
      to: { dependencyTypes: ["npm-dev"] },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|sdk/dist|dist)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
