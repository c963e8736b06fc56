import type { BuildOptions } from "esbuild";

export declare const sdkDir: string;
export declare function browserBundleOptions(outfile?: string): BuildOptions;
export declare function buildAll(opts?: { types?: boolean }): Promise<void>;
