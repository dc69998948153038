/**
 * The repository's root folder (where package.json and autorater.config.json live). Found by walking up from this
 * module to autorater-harness's package.json rather than by a fixed "..": the CLI also runs from a bundle two
 * levels down, in .build/<fingerprint>/ (harness/launch.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'autorater-harness'
    )
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`autorater-harness's package.json not found above ${from}`);
  }
}

export const REPO_ROOT = findRoot(import.meta.dirname);
