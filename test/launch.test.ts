/**
 * harness/launch.mjs, what the npm scripts run: it builds the CLI into .build/<fingerprint>/ once, reuses that
 * build while the sources are unchanged, rebuilds as soon as one changes (an edit is always what runs), survives
 * several commands building at once, and falls back to the sources through tsx when it cannot build. Each test
 * works on a copy of the sources (node_modules linked), never on this checkout's own .build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runNode, tempDir, type CliResult } from './helpers.ts';

function copyOfSources(): string {
  const dir = tempDir('autorater-launch-');
  for (const entry of ['core', 'protocol', 'harness', 'benchmarks', 'judges', 'reports'])
    fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'autorater.config.json'])
    fs.copyFileSync(path.join(REPO, file), path.join(dir, file));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function launch(root: string, args: string[]): Promise<CliResult> {
  return runNode([path.join(root, 'harness', 'launch.mjs'), ...args], { cwd: root });
}

const builds = (root: string): string[] => fs.readdirSync(path.join(root, '.build')).sort();

describe('harness/launch.mjs', () => {
  it('builds once, reuses the build, and rebuilds when a source changes', async () => {
    const root = copyOfSources();
    const first = await launch(root, ['eval', '--help']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Usage: autorater eval');
    const [built] = builds(root);
    expect(builds(root)).toHaveLength(1);
    expect(fs.existsSync(path.join(root, '.build', built!, 'cli.mjs'))).toBe(true);

    const again = await launch(root, ['eval', '--help']);
    expect(again.stdout).toBe(first.stdout);
    expect(builds(root)).toEqual([built]);

    // An edit to any source is what the next command runs.
    const commands = path.join(root, 'harness', 'commands', 'index.ts');
    fs.writeFileSync(
      commands,
      fs.readFileSync(commands, 'utf8').replace("'Run a judge over benchmarks", "'EDITED: run a judge over benchmarks"),
    );
    const edited = await launch(root, ['eval', '--help']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toContain('EDITED: run a judge over benchmarks');
    expect(builds(root)).toHaveLength(2);
    // The bundle finds the repository's files from two levels down (core/repo-root.ts): the judges of this
    // copy's autorater.config.json are listed.
    expect(edited.stdout).toMatch(/Judges backed by models \(autorater\.config\.json[\s\S]*\n {2}gpt-4o +openai:/);
  });

  it('lets several commands build at once, each running a whole build', async () => {
    const root = copyOfSources();
    const runs = await Promise.all([1, 2, 3].map(() => launch(root, ['eval', '--help'])));
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Usage: autorater eval');
    }
    expect(builds(root)).toHaveLength(1);
  });

  it('runs the sources through tsx when it cannot build, and says so', async () => {
    const root = copyOfSources();
    fs.writeFileSync(path.join(root, '.build'), 'a file where the build folder should be');
    const run = await launch(root, ['eval', '--help']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage: autorater eval');
    expect(run.stderr).toContain('could not build the CLI into .build/');
  });
});
