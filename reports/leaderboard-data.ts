/**
 * The nightly leaderboard's data: what `npm run leaderboard` writes as leaderboard.json (and keeps one copy per night
 * in history/), and what every leaderboard renderer (Markdown, CSV, HTML) reads. Renderers never run judges.
 */

/** One value with its 95% bootstrap interval (null where there is none, e.g. a published row). */
export interface Cell {
  value: number | null;
  ci: [number, number] | null;
  /** Items the value rests on (null for published rows). */
  n: number | null;
}

/**
 * A column of FLAMe Table 1 or Table 2, e.g.
 * { id: 'rewardbench:Chat Hard', benchmark: 'rewardbench', label: 'Chat Hard' }.
 */
export interface LeaderboardColumn {
  /** `${benchmark}:${metric column}`. */
  id: string;
  benchmark: string;
  /** The metric column's name in the benchmark's headline table ("Avg", "Chat", ...). */
  label: string;
  /** Which of the paper's tables the column reproduces. */
  table: 'Table 1' | 'Table 2';
}

export interface LeaderboardRow {
  judge: string;
  /** 'this run': measured tonight (or reused from the store); 'paper': a published number, never measured here. */
  source: 'this run' | 'paper';
  /** Where a published row comes from, e.g. "FLAMe (Vu et al. 2024) Table 1". */
  citation?: string;
  /** Keyed by LeaderboardColumn.id; a missing key means no value. */
  cells: Record<string, Cell>;
  /** Tokens and US dollars of the requests made for this judge tonight (0 when all came from the store). */
  cost?: { inputTokens: number; outputTokens: number; usd: number | null; asked: number; cached: number };
  /** Benchmarks this judge could not run tonight, and why (no data, task kind it cannot answer, errors). */
  notes?: string[];
}

export interface LeaderboardData {
  /** The night, YYYY-MM-DD (the only thing that changes when nothing new was judged). */
  date: string;
  harnessVersion: string;
  /** sha256 of the prompt template and of each benchmark's prompts: a changed prompt is a different leaderboard. */
  promptVersion: string;
  /** Per benchmark: a fingerprint of the data read (file sizes and hashes, or item ids). */
  dataVersions: Record<string, string>;
  seed: number;
  resamples: number;
  sample: number | null;
  columns: LeaderboardColumn[];
  rows: LeaderboardRow[];
  /** The whole night's spend across judges. */
  cost: { inputTokens: number; outputTokens: number; usd: number | null };
}

/** The series the HTML's over-time chart draws: one point per kept night and judge, for one column. */
export interface HistoryPoint {
  date: string;
  judge: string;
  column: string;
  value: number | null;
}
