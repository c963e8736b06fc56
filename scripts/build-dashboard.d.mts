export const dashboardOut: string;
/** Builds dist/dashboard/ with the esbuild module given (import("esbuild")). */
export function buildDashboard(esbuild: typeof import("esbuild")): Promise<void>;
