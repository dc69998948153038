/**
 * Lines of at most 120 characters in every source, test and bench file: the formatter (Biome, `npm run format`)
 * wraps code at 120, but not strings and comments, which are kept within it by hand.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const MAX = 120;

describe('source lines', () => {
  it(`are at most ${MAX} characters`, () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(
        (f) => /\.(ts|mts|mjs|cjs)$/.test(f) && !f.startsWith('bench/promptfoo/') && fs.existsSync(path.join(ROOT, f)),
      );
    expect(files.length).toBeGreaterThan(100);
    const long = files.flatMap((file) =>
      fs
        .readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => ([...line].length > MAX ? [`${file}:${i + 1} (${[...line].length})`] : [])),
    );
    expect(long).toEqual([]);
  });
});
