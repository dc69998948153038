/**
 * How the CLI is bundled (harness/launch.mjs), in one place: `npm run bench` bundles its scale-test entry the same
 * way, so what it measures is what users run.
 *
 * Pure-JavaScript packages are bundled with the sources: Node's ESM loader spends about a millisecond resolving
 * and linking each of their files (the openai SDK alone has over a hundred), a bundle does it once. Packages with
 * native addons, optional ones and the build tools load from node_modules as they are. Modules a command may not
 * need (compare, leaderboard, the provider SDKs) stay separate chunks, loaded on first use.
 */

/** Loaded from node_modules, not bundled: native addons (better-sqlite3, node-llama-cpp) and the build tools. */
const EXTERNAL_PACKAGES = ['better-sqlite3', 'node-llama-cpp', 'esbuild', 'tsx'];

const BANNER =
  "import { createRequire as __autoraterRequire } from 'node:module'; " +
  'const require = __autoraterRequire(import.meta.url);';

/** esbuild options for bundling `entryPoints` ({ name: source file }) into `outdir` as <name>.mjs. */
export function bundleOptions(entryPoints, outdir) {
  return {
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    external: EXTERNAL_PACKAGES,
    // The CommonJS packages among the bundled ones require Node's built-in modules: every chunk gets a require.
    banner: { js: BANNER },
    // No keepNames: nothing is minified, so functions keep their names anyway, and keepNames would rename every
    // closure as it is created (a call per request in the hot path).
    logLevel: 'silent',
  };
}
