import fs from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggrefact, aggrefactTuned } from '../benchmarks/aggrefact/index.ts';
import {
  OFFICIAL_FILES,
  REBUILT_TEST_FILE,
  TEST_FILES,
  loadAggreFactDev,
  loadAggreFactTest,
  readAggreFactFile,
  type AggreFactItem,
} from '../benchmarks/aggrefact/loader.ts';
import { DataError } from '../core/errors.ts';
import { prepareItems } from '../harness/run.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

// Facts stated in the data folder's aggrefact/SOURCES.md ("Rebuilt from upstream sources").
const REBUILT = {
  total: 7308,
  datasets: {
    Wice: { rows: 358, supported: 111, unsupported: 247 },
    'FactCheck-GPT': { rows: 3093, supported: 637, unsupported: 2456 },
    Lfqa: { rows: 3857, supported: 2290, unsupported: 1567 },
  },
} as const;

let items: AggreFactItem[];
beforeAll(async () => {
  items = await loadAggreFactTest(DATA_DIR);
});

/** Writes a parquet file in the Hub release's schema (string columns, label int64). */
function writeAggreFactParquet(
  file: string,
  rows: { dataset: string; doc: string; claim: string; label: number }[],
  extra: Record<string, string[]> = {},
): void {
  const columnData = [
    { name: 'dataset', data: rows.map((r) => r.dataset), type: 'STRING' as const },
    { name: 'doc', data: rows.map((r) => r.doc), type: 'STRING' as const },
    { name: 'claim', data: rows.map((r) => r.claim), type: 'STRING' as const },
    { name: 'label', data: rows.map((r) => BigInt(r.label)), type: 'INT64' as const },
    ...Object.entries(extra).map(([name, data]) => ({ name, data, type: 'STRING' as const })),
  ];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData })));
}

function writeJsonl(file: string, lines: string[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('LLM-AggreFact loader on the partial rebuild', () => {
  it('reads all 7,308 rows, with each dataset’s size and label split as SOURCES.md states', () => {
    expect(items).toHaveLength(REBUILT.total);
    const counts: Record<string, { rows: number; supported: number; unsupported: number }> = {};
    for (const item of items) {
      const c = (counts[item.dataset] ??= { rows: 0, supported: 0, unsupported: 0 });
      c.rows += 1;
      if (item.label) c.supported += 1;
      else c.unsupported += 1;
    }
    expect(counts).toEqual(REBUILT.datasets);
    expect(items.every((i) => i.split === 'test' && i.file === REBUILT_TEST_FILE && i.sampleGroup === i.dataset)).toBe(
      true,
    );
  });

  it('gives every row a unique id from dataset + content hash, numbering exact duplicates', () => {
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    for (const item of items) expect(item.id).toMatch(new RegExp(`^${item.dataset}/[0-9a-f]{16}(~\\d+)?$`));
    // Rows repeating an earlier (dataset, doc, claim) are the ones with an occurrence suffix.
    const seen = new Set<string>();
    let repeats = 0;
    for (const item of items) {
      const key = JSON.stringify([item.dataset, item.doc, item.claim]);
      if (seen.has(key)) repeats += 1;
      seen.add(key);
    }
    expect(items.filter((i) => i.id.includes('~')).length).toBe(repeats);
    expect(repeats).toBeGreaterThan(0); // the rebuild has repeated Lfqa sentences: the rule is exercised
  });

  it('ids do not depend on row order', async () => {
    const lines = fs.readFileSync(path.join(DATA_DIR, REBUILT_TEST_FILE), 'utf8').split('\n').filter(Boolean);
    const dir = tempDir();
    writeJsonl(path.join(dir, 'reversed.jsonl'), [...lines].reverse());
    const reversed = await readAggreFactFile(dir, 'reversed.jsonl', 'test');
    const base = (id: string): string => id.replace(/~\d+$/, '');
    const byBase = (list: AggreFactItem[]) => list.map((i) => base(i.id)).sort();
    expect(byBase(reversed)).toEqual(byBase(items));
    // Unique rows keep exactly the same id.
    const ids = new Set(reversed.map((i) => i.id));
    const repeated = new Set(items.filter((i) => i.id.includes('~')).map((i) => base(i.id)));
    const unique = items.filter((i) => !repeated.has(i.id));
    expect(unique.every((i) => ids.has(i.id))).toBe(true);
  });

  it('--sample 256 draws 256 claims from each dataset', async () => {
    const sampled = await prepareItems(aggrefact, DATA_DIR, 0, { sample: 256 });
    const perDataset: Record<string, number> = {};
    for (const entry of sampled) perDataset[entry.item.sampleGroup!] = (perDataset[entry.item.sampleGroup!] ?? 0) + 1;
    expect(perDataset).toEqual({ Wice: 256, 'FactCheck-GPT': 256, Lfqa: 256 });
    // The same sample for another seed-0 call (every judge sees the same claims).
    const again = await prepareItems(aggrefact, DATA_DIR, 0, { sample: 256 });
    expect(again.map((e) => e.item.id)).toEqual(sampled.map((e) => e.item.id));
  });

  it('asks "is the claim fully supported by the document?" with the FLAMe prompt and hides the label', async () => {
    const [entry] = await prepareItems(aggrefact, DATA_DIR, 0, { limit: 1 });
    const item = items[0]!;
    expect(entry!.prepared.task).toEqual({ kind: 'classification', document: item.doc, claim: item.claim });
    expect(entry!.prepared.gold).toEqual({ supported: item.label });
    expect(entry!.prompt).toContain('fully supported');
    expect(entry!.prompt).toContain('every part of it');
    expect(entry!.prompt).toContain('supported: "Yes" or "No"');
    expect(entry!.prompt).toContain(`claim:\n${item.claim}`);
  });

  it('without a dev split, aggrefact-tuned asks the test claims only', async () => {
    await expect(loadAggreFactDev(DATA_DIR)).resolves.toEqual([]);
    await expect(aggrefactTuned.load(DATA_DIR)).resolves.toHaveLength(REBUILT.total);
  });
});

describe('LLM-AggreFact loader: the Hub release', () => {
  it(
    'prefers the pulled parquet over the rebuild, ' +
      'reads its schema (with contamination_identifier) and its dev split',
    async () => {
      const dir = tempDir();
      fs.mkdirSync(path.dirname(path.join(dir, REBUILT_TEST_FILE)), { recursive: true });
      fs.symlinkSync(path.join(DATA_DIR, REBUILT_TEST_FILE), path.join(dir, REBUILT_TEST_FILE));
      const rows = items
        .slice(0, 40)
        .map((i) => ({ dataset: i.dataset, doc: i.doc, claim: i.claim, label: i.label ? 1 : 0 }));
      writeAggreFactParquet(path.join(dir, OFFICIAL_FILES.test), rows, {
        contamination_identifier: rows.map(() => 'c'.repeat(64)),
      });
      writeAggreFactParquet(path.join(dir, OFFICIAL_FILES.dev), rows.slice(0, 10));

      const test = await loadAggreFactTest(dir);
      expect(test.map((i) => ({ ...i, file: REBUILT_TEST_FILE }))).toEqual(items.slice(0, 40));
      expect(test.every((i) => i.file === OFFICIAL_FILES.test)).toBe(true);

      const dev = await loadAggreFactDev(dir);
      expect(dev).toHaveLength(10);
      expect(dev[0]!.id).toBe(`dev/${items[0]!.id}`);
      expect(dev.every((i) => i.split === 'dev' && i.sampleGroup === `dev/${i.dataset}`)).toBe(true);
      const tuned = await aggrefactTuned.load(dir);
      expect(tuned).toHaveLength(50);
      expect(new Set(tuned.map((i) => i.id)).size).toBe(50);
    },
  );
});

describe('LLM-AggreFact loader errors name the file, the place and what was expected', () => {
  const row = (fields: Record<string, unknown>) =>
    JSON.stringify({ dataset: 'Wice', doc: 'd', claim: 'c', label: 1, ...fields });

  it('missing data: every path looked at and how to get the data', async () => {
    const empty = tempDir();
    const error = (await aggrefact.load(empty).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    for (const rel of TEST_FILES) expect(error.message).toContain(path.join(empty, rel));
    expect(error.message).toContain('npm run data -- pull aggrefact');
    expect(error.message).toContain('HF_TOKEN');
  });

  it('a JSONL line that is not JSON', async () => {
    const dir = tempDir();
    writeJsonl(path.join(dir, 'bad.jsonl'), [row({}), row({ claim: 'other' }), '{"dataset": "Wice", "doc": ']);
    const error = (await readAggreFactFile(dir, 'bad.jsonl', 'test').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain(`${path.join(dir, 'bad.jsonl')}: line 3: not valid JSON`);
    expect(error.message).toContain('{dataset, doc, claim, label}');
  });

  it('a JSONL row with a label that is not 0/1, a missing field, an unknown dataset', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'rows.jsonl');
    writeJsonl(file, [row({}), row({ label: 2 })]);
    await expect(readAggreFactFile(dir, 'rows.jsonl', 'test')).rejects.toThrow(
      `${file}: line 2, field "label": must be 1 (supported) or 0 (not supported)`,
    );
    writeJsonl(file, [JSON.stringify({ dataset: 'Wice', doc: 'd', label: 0 })]);
    await expect(readAggreFactFile(dir, 'rows.jsonl', 'test')).rejects.toThrow(`${file}: line 1, field "claim"`);
    writeJsonl(file, [row({}), '', row({ dataset: 'WiCE' })]);
    await expect(readAggreFactFile(dir, 'rows.jsonl', 'test')).rejects.toThrow(
      `${file}: line 3: unknown dataset "WiCE" (expected one of LLM-AggreFact's: AggreFact-CNN,`,
    );
  });

  it('a parquet file with other columns', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'other.parquet');
    fs.writeFileSync(
      file,
      Buffer.from(
        parquetWriteBuffer({
          columnData: [
            { name: 'premise', data: ['p'], type: 'STRING' },
            { name: 'hypothesis', data: ['h'], type: 'STRING' },
            { name: 'label', data: [1n], type: 'INT64' },
          ],
        }),
      ),
    );
    const error = (await readAggreFactFile(dir, 'other.parquet', 'test').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain(
      `${file}: unexpected columns [premise, hypothesis, label]; missing [dataset, doc, claim]`,
    );
    expect(error.message).toContain("Expected LLM-AggreFact's schema: [dataset, doc, claim, label]");
  });

  it('a parquet row with a bad label names its row index', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'labels.parquet');
    writeAggreFactParquet(file, [
      { dataset: 'Lfqa', doc: 'd', claim: 'a', label: 1 },
      { dataset: 'Lfqa', doc: 'd', claim: 'b', label: 0 },
      { dataset: 'Lfqa', doc: 'd', claim: 'c', label: 3 },
    ]);
    await expect(readAggreFactFile(dir, 'labels.parquet', 'test')).rejects.toThrow(
      `${file}: row 2, field "label": must be 1 (supported) or 0`,
    );
  });

  it('a file that is not parquet', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'broken.parquet'), 'not parquet');
    await expect(readAggreFactFile(dir, 'broken.parquet', 'test')).rejects.toThrow(
      `${path.join(dir, 'broken.parquet')}: not a readable parquet file`,
    );
  });
});
