/**
 * `npm run leaderboard`: builds the night's leaderboard (harness/commands/leaderboard-run.ts) and writes
 * `leaderboard/`: index.html (self-contained, with history charts), leaderboard.md, leaderboard.csv, leaderboard.json,
 * and history/<date>.json (one per night, kept). Files are written to a temporary name first and renamed, so a crash
 * never leaves a half-written page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkJudgeId, createJudge } from '../../judges/index.ts';
import type { LeaderboardData } from '../../reports/leaderboard-data.ts';
import { renderLeaderboardCsv } from '../../reports/leaderboard-csv.ts';
import { renderLeaderboardHtml } from '../../reports/leaderboard-html.ts';
import { renderLeaderboardMarkdown } from '../../reports/leaderboard-markdown.ts';
import { writeOutputs, wroteLine } from '../../reports/output.ts';
import { renderTerminal } from '../../reports/terminal.ts';
import type { ReportTable } from '../../core/table.ts';
import { resolveDataDir } from '../../core/data-dir.ts';
import { DataError, UserError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { interruptOnSignals } from '../interrupt.ts';
import { buildLeaderboard, judgeTargets, readLeaderboardConfig } from './leaderboard-run.ts';
import { HARNESS_PACKAGE } from '../../core/repo-root.ts';
import { openStore } from '../store-guard.ts';

export interface LeaderboardFlags {
  leaderboardConfig: string;
  /** The judge config, as in eval and compare. */
  config?: string;
  /** The old name of --config: refused, with the new names. */
  judgeConfig?: string;
  data?: string;
  store: string;
  out: string;
  date?: string;
  progress: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Earlier nights, oldest first; a file that is not a leaderboard is named, not silently dropped. */
function readHistory(dir: string): LeaderboardData[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      try {
        const data = JSON.parse(fs.readFileSync(file, 'utf8')) as LeaderboardData;
        if (typeof data.date !== 'string' || !Array.isArray(data.rows) || !Array.isArray(data.columns))
          throw new Error('not a leaderboard.json');
        return data;
      } catch (error) {
        throw new DataError(
          `${file}: cannot read this night's leaderboard (${(error as Error).message}); ` +
            'move it out of history/ to continue.',
        );
      }
    });
}

/** The leaderboard as a terminal table: one row per judge, each column's value ± half its interval. */
function overview(data: LeaderboardData): ReportTable {
  return {
    id: 'leaderboard',
    title: `Leaderboard ${data.date} (prompt ${data.promptVersion}, ${data.resamples} resamples)`,
    columns: data.columns.map((c) => (c.table === 'Table 2' ? `RB ${c.label}` : c.label)),
    rows: data.rows.map((r) => ({
      label: r.judge,
      source: r.source,
      ...(r.citation ? { citation: r.citation } : {}),
      values: data.columns.map((c) => r.cells[c.id]?.value ?? null),
      intervals: data.columns.map((c) => r.cells[c.id]?.ci ?? null),
    })),
    notes: data.rows.flatMap((r) => (r.notes ?? []).map((n) => `${r.judge}: ${n}`)),
  };
}

/** A real calendar day: 2026-13-45 matches the pattern but is no date. */
function isDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

/** --config is the judge config in every command; a leaderboard config given there is named as what it is. */
function checkJudgeConfigFlag(flags: LeaderboardFlags): void {
  if (flags.judgeConfig !== undefined) {
    throw new UserError(
      `--judge-config is now --config (your judge config, as in eval and compare); ` +
        'the leaderboard config is --leaderboard-config.',
    );
  }
  if (flags.config === undefined || !fs.existsSync(flags.config)) return;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(flags.config, 'utf8'));
  } catch {
    return; // the judge config loader says what is wrong with it
  }
  if (Array.isArray((json as { judges?: unknown } | null)?.judges)) {
    throw new UserError(
      `--config ${flags.config} is a leaderboard config: pass it as --leaderboard-config ${flags.config} ` +
        '(--config is your judge config, as in eval).',
    );
  }
}

export async function leaderboardCommand(flags: LeaderboardFlags): Promise<number> {
  const date = flags.date ?? new Date().toISOString().slice(0, 10);
  if (!isDate(date)) throw new UserError(`--date ${date}: expected a date as YYYY-MM-DD.`);
  checkJudgeConfigFlag(flags);
  const config = readLeaderboardConfig(flags.leaderboardConfig);
  // Every judge id is checked before anything runs: a typo in the last entry must not cost the night's first runs.
  for (const target of judgeTargets(config)) checkJudgeId(target.id, flags.config);
  const dataDir = resolveDataDir(flags.data);
  const historyDir = path.join(flags.out, 'history');
  const history = readHistory(historyDir);

  const store = openStore(flags.store);
  const interrupt = interruptOnSignals(
    'stopping: no new requests; the ones in flight finish within their timeout and are stored; no leaderboard ' +
      'is written, exit 130. Rerun to continue. Press Ctrl-C again to quit at once.',
    () => store.flush(),
  );
  try {
    const { data, incomplete } = await buildLeaderboard(config, {
      dataDir,
      store,
      date,
      harnessVersion: HARNESS_PACKAGE.version,
      progress: flags.progress,
      signal: interrupt.signal,
      createJudge: (id) => createJudge(id, { dataDir, seed: config.seed, configFile: flags.config }),
      log: (line) => process.stderr.write(line + '\n'),
    });
    if (interrupt.signal.aborted) return EXIT_CODES.interrupted.code;

    const json = JSON.stringify(data, null, 2) + '\n';
    const nights = [...history.filter((h) => h.date !== date), data].sort((a, b) =>
      a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
    );
    const files: Record<string, string> = {
      [path.join(historyDir, `${date}.json`)]: json,
      [path.join(flags.out, 'leaderboard.json')]: json,
      [path.join(flags.out, 'leaderboard.md')]: renderLeaderboardMarkdown(data),
      [path.join(flags.out, 'leaderboard.csv')]: renderLeaderboardCsv(data),
      [path.join(flags.out, 'index.html')]: renderLeaderboardHtml(data, nights),
    };
    const written = await writeOutputs(new Map(Object.entries(files)));

    process.stdout.write(
      renderTerminal(overview(data), { columns: process.stdout.isTTY ? process.stdout.columns : undefined }) + '\n',
    );
    const cost = data.cost.usd === null ? 'no priced judge' : `$${data.cost.usd.toFixed(2)}`;
    process.stderr.write(
      `Tonight: ${data.cost.inputTokens + data.cost.outputTokens} tokens, ${cost}. ` +
        `${nights.length} night(s) of history.\n` +
        `${wroteLine(written)}\n`,
    );
    for (const line of incomplete) process.stderr.write(`Incomplete: ${line} (rerun to retry what failed).\n`);
    return incomplete.length > 0 ? EXIT_CODES.itemsFailed.code : EXIT_CODES.done.code;
  } finally {
    interrupt.dispose();
    store.close();
  }
}
