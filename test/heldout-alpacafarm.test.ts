/**
 * AlpacaFarm has no data in the shared folder, so its loader and download are tested on small files written here
 * in the published schema of the two Hub configs (see benchmarks/heldout/alpacafarm/loader.ts):
 *  - tatsu-lab/alpaca_eval `alpaca_farm_human_crossannotations`: one record per annotation,
 *    {instruction, output_1, output_2, preference, annotator_index, dataset, datasplit};
 *  - tatsu-lab/alpaca_farm `alpaca_human_preference`:
 *    {instruction, input, output_1, output_2, preference, raw_preference}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALPACA_EVAL_REVISION, ALPACA_FARM_REVISION, alpacafarm } from '../benchmarks/heldout/alpacafarm/index.ts';
import { loadAlpacaFarm } from '../benchmarks/heldout/alpacafarm/loader.ts';
import type { HeldoutSummary } from '../benchmarks/heldout/scoring.ts';
import { download } from '../core/download.ts';
import { DataError } from '../core/errors.ts';
import { runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { serveFiles, startLoopback, type LoopbackServer } from './doubles/loopback.ts';
import { tempDir } from './helpers.ts';

interface CrossAnnotation {
  instruction: string;
  output_1: string;
  output_2: string;
  preference: number;
  annotator_index: number;
  dataset: string;
  datasplit: string;
}

/** Three pairs × 4 workers: 3–1 for output_1, 2–2 (dropped), 0–4 for output_2. */
function crossAnnotations(): CrossAnnotation[] {
  const pair = (instruction: string, output_1: string, output_2: string, dataset: string, preferences: number[]) =>
    preferences.map((preference, annotator_index) => ({
      instruction,
      output_1,
      output_2,
      preference,
      annotator_index,
      dataset,
      datasplit: 'eval',
    }));
  return [
    ...pair('Name a primary colour.', 'Red is a primary colour.', 'Green.', 'helpful_base', [1, 1, 2, 1]),
    ...pair(
      'Write a haiku about tea.',
      'Steam curls from the cup',
      'Tea is a drink made from leaves.',
      'koala',
      [2, 2, 1, 1],
    ),
    ...pair('What is 2 + 2?', 'Five.', 'Two plus two is four.', 'selfinstruct', [2, 2, 2, 2]),
  ];
}

const CROSS = 'heldout/alpacafarm/alpaca_farm_human_crossannotations.json';
const PREF = 'heldout/alpacafarm/alpaca_human_preference.json';

function write(dataDir: string, rel: string, records: unknown): Buffer {
  const file = path.join(dataDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const bytes = Buffer.from(JSON.stringify(records, null, 2));
  fs.writeFileSync(file, bytes);
  return bytes;
}

describe('AlpacaFarm loader', () => {
  it(
    'cross-annotations: majority of the 4 workers per pair, 2–2 pairs dropped, ' + 'groups by source dataset',
    async () => {
      const dataDir = tempDir();
      write(dataDir, CROSS, crossAnnotations());
      const set = await loadAlpacaFarm(dataDir);
      expect(set.items.map((i) => [i.context, i.better, i.votes, i.group])).toEqual([
        ['Name a primary colour.', 'first', { first: 3, second: 1 }, 'helpful_base'],
        ['What is 2 + 2?', 'second', { first: 0, second: 4 }, 'selfinstruct'],
      ]);
      expect(set.droppedTies).toEqual({ pairs: 1, votes: 4 });
      expect(set.items.every((i) => /^cross\/[0-9a-f]{12}$/.test(i.id))).toBe(true);
      expect(set.note).toContain('cross-annotations');
    },
  );

  it(
    'runs end to end: longer-wins, per-annotation agreement over all 8 votes, ' + 'the paper column in the table',
    async () => {
      const dataDir = tempDir();
      write(dataDir, CROSS, crossAnnotations());
      const judge = await createJudge('longer-wins', { dataDir, seed: 0 });
      const run = await runEval({
        judge,
        benchmarks: [alpacafarm],
        dataDir,
        seed: 0,
        store: Store.open(':memory:'),
        progress: false,
      });
      const summary = run.benchmarks[0]!.summary as HeldoutSummary;
      // The longer output is the majority's in both pairs: accuracy 100; it agrees with 3 + 4 of the 8 votes.
      expect(summary.score).toBe(100);
      expect(summary.perAnnotation).toEqual({ agreement: 87.5, votes: 8 });
      expect(summary.groups).toEqual({ helpful_base: 100, selfinstruct: 100 });
      const [table] = await alpacafarm.tables(summary, { dataDir, judgeId: 'longer-wins' });
      expect(table!.columns).toEqual(['Accuracy', 'helpful_base', 'selfinstruct', 'Per-annotation']);
      expect(table!.rows.filter((r) => r.source === 'paper').map((r) => r.values[0])).toContain(56.3); // FLAMe-24B
      expect(table!.notes.join('\n')).toContain('1 pair whose annotator votes were tied (4 votes) left out');
    },
  );

  it(
    'without the cross-annotations, reads alpaca_human_preference (one worker per pair; ' +
      'input joined to the instruction)',
    async () => {
      const dataDir = tempDir();
      write(dataDir, PREF, [
        {
          instruction: 'Summarise the text.',
          input: 'Cats sleep a lot.',
          output_1: 'Cats sleep often.',
          output_2: 'Dogs bark.',
          preference: 1,
          raw_preference: 1,
        },
        {
          instruction: 'Give a synonym for happy.',
          input: '',
          output_1: 'Sad.',
          output_2: 'Joyful.',
          preference: 2,
          raw_preference: 4,
        },
      ]);
      const set = await loadAlpacaFarm(dataDir);
      expect(set.items.map((i) => [i.context, i.better])).toEqual([
        ['Summarise the text.\n\nCats sleep a lot.', 'first'],
        ['Give a synonym for happy.', 'second'],
      ]);
      expect(set.items.every((i) => i.id.startsWith('pref/'))).toBe(true);
      expect(set.note).toContain('the cross-annotations, the likelier FLAMe set, were not found');
    },
  );

  it('a malformed record names the file, row and field', async () => {
    const dataDir = tempDir();
    const records = crossAnnotations() as unknown as Record<string, unknown>[];
    records[5] = { ...records[5], preference: '2' };
    write(dataDir, CROSS, records);
    const error = (await loadAlpacaFarm(dataDir).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(
      `${path.join(dataDir, CROSS)}: line 47 (row 5): field "preference": ` +
        `Invalid input: expected number, received string`,
    );
  });
});

async function hub(files: Record<string, Buffer>): Promise<LoopbackServer> {
  const cdn = serveFiles(Object.fromEntries(Object.entries(files).map(([p, body]) => [`/cdn${p}`, body])));
  return startLoopback((req, res) => {
    if ((req.url ?? '') in files) return void res.writeHead(302, { location: `/cdn${req.url}` }).end();
    cdn(req, res);
  });
}

describe('AlpacaFarm download (npm run data -- pull alpacafarm)', () => {
  it(
    "fetches both configs' files from their Hub repositories at the pinned revisions into " + 'heldout/alpacafarm/',
    async () => {
      const cross = write(tempDir(), CROSS, crossAnnotations());
      const pref = write(tempDir(), PREF, [
        { instruction: 'Hi', input: '', output_1: 'Hello!', output_2: 'Go away.', preference: 1, raw_preference: 1 },
      ]);
      const crossPath =
        `/datasets/tatsu-lab/alpaca_eval/resolve/${ALPACA_EVAL_REVISION}` + `/alpaca_farm_human_crossannotations.json`;
      const prefPath = `/datasets/tatsu-lab/alpaca_farm/resolve/${ALPACA_FARM_REVISION}/alpaca_human_preference.json`;
      const server = await hub({ [crossPath]: cross, [prefPath]: pref });

      const dataDir = tempDir();
      const results = [];
      for (const spec of alpacafarm.downloads)
        results.push(await download(spec, dataDir, { env: { HF_ENDPOINT: server.url }, progress: false }));
      expect(results.map((r) => [r.path, r.status, r.verified])).toEqual([
        // no size or sha256 pinned: downloaded unverified, sha256 reported
        [path.join(dataDir, CROSS), 'downloaded', false],
        [path.join(dataDir, PREF), 'downloaded', false],
      ]);
      expect(server.requests.map((r) => r.path).filter((r) => !r.startsWith('/cdn'))).toEqual([crossPath, prefPath]);
      expect(fs.readFileSync(path.join(dataDir, CROSS)).equals(cross)).toBe(true);

      // The loader finds the downloaded files where the specs put them, and prefers the cross-annotations.
      const set = await loadAlpacaFarm(dataDir);
      expect(set.files).toEqual([path.join(dataDir, CROSS)]);
      expect(set.items).toHaveLength(2);
    },
  );
});
