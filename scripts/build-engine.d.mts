export const engineEntries: Record<string, string>;
/** Builds dist/; "kept" when esbuild is missing and an earlier build is there. */
export function buildEngine(): Promise<"built" | "kept">;
