import type { BuildOptions } from 'esbuild';

/** esbuild options for bundling `entryPoints` ({ name: source file }) into `outdir` as <name>.mjs. */
export function bundleOptions(entryPoints: Record<string, string>, outdir: string): BuildOptions;
