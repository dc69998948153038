#!/usr/bin/env node
/**
 * What the npm scripts run: the CLI (harness/cli.ts) prebuilt into plain ES modules, rebuilt here whenever the
 * sources differ from what it was built from (how: harness/bundle.mjs).
 *
 * Why: Node 20 cannot run TypeScript itself, and loading ~150 modules through tsx's loader hooks costs about 0.35 s
 * before a command does anything (a third of a cached rerun). esbuild bundles the sources once, in about 0.3 s, into
 * .build/<fingerprint>/, pure-JavaScript packages included (native ones load from node_modules), and the modules a
 * command may not need (compare, leaderboard, the provider SDKs) stay separate chunks. Why no build step: a forgotten
 * `npm run build` would run stale code. The fingerprint covers every source's path, size and mtime, so an edit,
 * a checkout or an install is always what runs. Concurrent commands may build at once: each builds into its own
 * folder and renames it into place, so none ever loads half a build.
 *
 * `node --import tsx harness/cli.ts` still runs the sources directly (what the tests and a debugger use); so does
 * this launcher when it cannot build (a read-only checkout, a missing esbuild binary).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleOptions } from './bundle.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUILDS = path.join(ROOT, '.build');
const SOURCE_DIRS = ['core', 'protocol', 'harness', 'benchmarks', 'judges', 'reports'];
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];
/** Older builds are removed after this long: a command started before an edit may still load chunks from its own. */
const KEEP_OLD_BUILDS_MS = 24 * 3600 * 1000;

/** sha256 over every source's path, size and mtime (a few ms: no file is read). */
function sourcesFingerprint() {
  const hash = createHash('sha256');
  const add = (file) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    hash.update(`${path.relative(ROOT, file)}\u0000${stat ? `${stat.size}\u0000${stat.mtimeMs}` : 'missing'}\n`);
  };
  for (const dir of SOURCE_DIRS) {
    const entries = fs.readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() && /\.(ts|mts|js|mjs|json)$/.test(e.name))
      .map((e) => path.join(e.parentPath ?? e.path, e.name)); // parentPath: Node ≥ 20.12
    for (const file of files.sort()) add(file);
  }
  for (const file of SOURCE_FILES) add(path.join(ROOT, file));
  return hash.digest('hex').slice(0, 16);
}

async function build(folder) {
  const esbuild = await import('esbuild');
  const temporary = `${folder}.${process.pid}.tmp`;
  fs.rmSync(temporary, { recursive: true, force: true });
  await esbuild.build(bundleOptions({ cli: path.join(ROOT, 'harness', 'cli.ts') }, temporary));
  try {
    fs.renameSync(temporary, folder);
  } catch (error) {
    // Another command built the same sources first: use its build.
    fs.rmSync(temporary, { recursive: true, force: true });
    if (!fs.existsSync(path.join(folder, 'cli.mjs'))) throw error;
  }
  for (const old of fs.readdirSync(BUILDS)) {
    const other = path.join(BUILDS, old);
    if (other === folder) continue;
    const stat = fs.statSync(other, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > KEEP_OLD_BUILDS_MS) fs.rmSync(other, { recursive: true, force: true });
  }
}

async function entry() {
  const folder = path.join(BUILDS, sourcesFingerprint());
  const cli = path.join(folder, 'cli.mjs');
  if (fs.existsSync(cli)) return cli;
  try {
    fs.mkdirSync(BUILDS, { recursive: true });
    await build(folder);
    return cli;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(
      `autorater: could not build the CLI into .build/ (${reason}); ` + 'running the sources through tsx\n',
    );
    const { register } = await import('tsx/esm/api');
    register();
    return path.join(ROOT, 'harness', 'cli.ts');
  }
}

await import(pathToFileURL(await entry()).href);
