/**
 * The layers (ARCHITECTURE.md): every import points down, or stays within its own layer. A module that needs
 * something from a layer above is in the wrong place, or the thing it needs is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Bottom first. A file belongs to the first layer whose prefix its path starts with. */
const LAYERS: readonly { name: string; prefixes: readonly string[] }[] = [
  { name: 'core', prefixes: ['core/'] },
  { name: 'protocol', prefixes: ['protocol/'] },
  { name: 'benchmarks', prefixes: ['benchmarks/'] },
  { name: 'judges', prefixes: ['judges/'] },
  { name: 'commands', prefixes: ['harness/cli.ts', 'harness/commands/'] },
  { name: 'run', prefixes: ['harness/'] },
  { name: 'reports', prefixes: ['reports/'] },
];
/** Their order from the bottom up: commands sit on top although their folder is inside harness/. */
const ORDER = ['core', 'protocol', 'benchmarks', 'judges', 'run', 'reports', 'commands'];

function layerOf(file: string): string | undefined {
  return LAYERS.find((l) => l.prefixes.some((p) => file.startsWith(p)))?.name;
}

/** Every relative module specifier in a source: static imports and re-exports, dynamic import(), `import type`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g, /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found;
}

function sourceFiles(root: string): string[] {
  const dirs = ['core', 'protocol', 'benchmarks', 'judges', 'harness', 'reports'];
  return dirs.flatMap((dir) => {
    const full = path.join(root, dir);
    if (!fs.existsSync(full)) return [];
    return fs
      .readdirSync(full, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|mts|mjs)$/.test(f) && !f.endsWith('.d.mts'))
      .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
  });
}

/** Imports that point up a layer, as "importer -> imported (layer -> layer)". */
function upwardImports(root: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(root)) {
    const from = layerOf(file);
    if (!from) continue;
    for (const spec of specifiers(fs.readFileSync(path.join(root, file), 'utf8'))) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const to = layerOf(target);
      if (!to) continue; // package.json and the like
      if (ORDER.indexOf(to) > ORDER.indexOf(from)) found.push(`${file} -> ${target} (${from} -> ${to})`);
    }
  }
  return found;
}

describe('layers', () => {
  it('no import points up a layer', () => {
    expect(upwardImports(ROOT)).toEqual([]);
  });

  it('the ground floor imports nothing of the project outside itself', () => {
    const outside = sourceFiles(ROOT)
      .filter((f) => f.startsWith('core/'))
      .flatMap((f) => specifiers(fs.readFileSync(path.join(ROOT, f), 'utf8')).map((s) => [f, s] as const))
      .filter(([f, s]) => !path.posix.normalize(path.posix.join(path.posix.dirname(f), s)).startsWith('core/'));
    expect(outside).toEqual([]);
  });

  it('the check finds an upward import, a dynamic one and a type-only one', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'autorater-layers-'));
    const write = (file: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    write('core/hash.ts', "import { x } from '../harness/run.ts';\n");
    write(
      'protocol/tasks.ts',
      "import type { Judge } from '../judges/judge.ts';\nimport { sha } from '../core/hash.ts';\n",
    );
    write('judges/judge.ts', "const m = await import('../reports/table1.ts');\n");
    write('harness/run.ts', "import { evalCommand } from './cli.ts';\nimport { t } from '../reports/x.ts';\n");
    write('harness/cli.ts', "import { runEval } from './run.ts';\nimport { x } from '../reports/x.ts';\n");
    write('reports/x.ts', "import { runEval } from '../harness/run.ts';\n");
    expect(upwardImports(root).sort()).toEqual([
      'core/hash.ts -> harness/run.ts (core -> run)',
      'harness/run.ts -> harness/cli.ts (run -> commands)',
      'harness/run.ts -> reports/x.ts (run -> reports)',
      'judges/judge.ts -> reports/table1.ts (judges -> reports)',
      'protocol/tasks.ts -> judges/judge.ts (protocol -> judges)',
    ]);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
