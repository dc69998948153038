/**
 * The repository's root folder (where package.json and autorater.config.json live) and the harness's own package
 * name and version, read from that package.json. Found by walking up from this module to autorater-harness's
 * package.json rather than by a fixed "..": the CLI also runs from a bundle two levels down, in
 * .build/<fingerprint>/ (harness/launch.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';

interface Manifest {
  name: string;
  version: string;
}

function findRoot(from: string): { root: string; manifest: Manifest } {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Manifest>;
      if (manifest.name === 'autorater-harness') {
        return { root: dir, manifest: { name: manifest.name, version: manifest.version ?? 'unknown' } };
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`autorater-harness's package.json not found above ${from}`);
  }
}

const found = findRoot(import.meta.dirname);

export const REPO_ROOT = found.root;

/** The harness's package name and version (its package.json), as reports and the leaderboard record them. */
export const HARNESS_PACKAGE: Readonly<Manifest> = found.manifest;
