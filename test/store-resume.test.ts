import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, REPO, runTs, tempDir } from './helpers.ts';

const FIXTURE = 'test/fixtures/slow-run.ts';

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

function storedItems(storeFile: string): Set<string> {
  const db = new Database(storeFile, { readonly: true });
  const rows = db.prepare('SELECT item_id FROM judgments WHERE error IS NULL').all() as { item_id: string }[];
  db.close();
  return new Set(rows.map((r) => r.item_id));
}

describe('a run killed with SIGKILL resumes where it stopped', () => {
  it(
    'keeps every finished judgment, asks only for the rest, ' +
      'and ends with the same summary as an uninterrupted run',
    async () => {
      const dir = tempDir();
      const store = path.join(dir, 'runs.sqlite');
      const log1 = path.join(dir, 'calls-1.log');

      // Run 1: kill it hard once about a third of the items have been asked.
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, FIXTURE), store, log1, '4'], {
        cwd: REPO,
        env: { ...process.env, AUTORATER_DATA: DATA_DIR },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      while (lines(log1).length < 1000) {
        if (child.exitCode !== null)
          throw new Error('the run finished before it could be killed: make the judge slower');
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const afterKill = storedItems(store);
      expect(afterKill.size).toBeGreaterThan(500);
      expect(afterKill.size).toBeLessThan(2985);
      // Everything stored was actually asked in run 1.
      const asked1 = new Set(lines(log1));
      for (const id of afterKill) expect(asked1.has(id)).toBe(true);

      // Run 2: same command, same store.
      const log2 = path.join(dir, 'calls-2.log');
      const resumed = await runTs(FIXTURE, [store, log2, '0']);
      expect(resumed.code, resumed.stderr).toBe(0);
      const asked2 = lines(log2);
      expect(new Set(asked2).size).toBe(asked2.length);
      for (const id of asked2)
        expect(afterKill.has(id), `${id} was stored before the kill but asked again`).toBe(false);
      expect(asked2.length).toBe(2985 - afterKill.size);
      const resumedSummary = JSON.parse(resumed.stdout);
      expect(resumedSummary.run.cached.rewardbench).toBe(afterKill.size);
      expect(resumedSummary.run.asked.rewardbench).toBe(2985 - afterKill.size);

      // Run 3: uninterrupted, in a fresh store.
      const fresh = await runTs(FIXTURE, [path.join(dir, 'fresh.sqlite'), path.join(dir, 'calls-3.log'), '0']);
      expect(fresh.code, fresh.stderr).toBe(0);
      const freshSummary = JSON.parse(fresh.stdout);
      expect(freshSummary.run.asked.rewardbench).toBe(2985);
      expect(resumedSummary.benchmarks).toEqual(freshSummary.benchmarks);
      expect(resumedSummary.benchmarks.rewardbench.n).toBe(2985);
      expect(resumedSummary.benchmarks.rewardbench.errors).toBe(0);
    },
  );
});
