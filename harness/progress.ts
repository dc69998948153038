/**
 * Progress bars on stderr (cli-progress). They draw only when stderr is a terminal, so logs, CI and tests
 * get clean output; stdout stays free for tables and prompts.
 */
import cliProgress from 'cli-progress';
import type { Spend } from './spend.ts';

interface RunProgress {
  /** One request answered. `spend` is the run's running total. */
  tick(spend?: Spend): void;
  /** One item failed (stored as an error), grouped by its cause (harness/faults.ts failureCause). */
  fail(cause: string): void;
  /** Items another run answered meanwhile: read from the store, not asked. */
  cached(count: number): void;
  /** A request is being retried. */
  retry(): void;
  /** A passing remark after the counts (e.g. waiting for another run); '' removes it. */
  note(text: string): void;
  stop(): void;
}

function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '-';
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

function formatTokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

export function formatSpend(spend: Spend, priced: boolean): string {
  const tokens = `${formatTokens(spend.inputTokens)} in / ${formatTokens(spend.outputTokens)} out`;
  if (!priced) return tokens;
  // What batches cost is said apart: it is at the batch price (about half), not the price in the judge's config.
  const batch = spend.batchCostUsd;
  if (batch === undefined || batch === 0) return `${tokens} | $${spend.costUsd.toFixed(2)}`;
  const at = Math.abs(batch - spend.costUsd) < 1e-9 ? 'all' : `$${batch.toFixed(2)}`;
  return `${tokens} | $${spend.costUsd.toFixed(2)} (${at} at batch prices)`;
}

/** Room for causes on the progress line: the most frequent, shortened; the full list is printed at the end. */
const CAUSE_CHARS = 48;

/** "(HTTP 500: overloaded ×12, no complete reply within 5s ×3)": the two most frequent causes. */
function topCauses(counts: ReadonlyMap<string, number>, shown = 2): string {
  if (counts.size === 0) return '';
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, shown);
  const keep = CAUSE_CHARS - 1;
  const short = (cause: string): string => (cause.length > CAUSE_CHARS ? `${cause.slice(0, keep)}…` : cause);
  const parts = top.map(([cause, n]) => `${short(cause)} ×${n}`);
  return ` (${parts.join(', ')}${counts.size > shown ? ', …' : ''})`;
}

/**
 * done/total, rate, ETA, cached, errors by cause and retries; tokens (and dollars, for a priced judge) once there
 * are any.
 */
export function runBar(label: string, total: number, cached: number, enabled: boolean, priced = false): RunProgress {
  const silent: RunProgress = { tick() {}, fail() {}, cached() {}, retry() {}, note() {}, stop() {} };
  if (!enabled || !process.stderr.isTTY || total === 0) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format:
        `${label} [{bar}] {value}/{total} | {rate} items/s | ETA {eta_formatted} | cached {cached} | ` +
        'errors {errors}{causes} | retries {retries}{usage}{note}',
      barsize: 24,
      hideCursor: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let asked = 0;
  let errors = 0;
  let retries = 0;
  let usage = '';
  let note = '';
  const causes = new Map<string, number>();
  const values = () => ({ cached, errors, causes: topCauses(causes), retries, usage, note: note ? ` | ${note}` : '' });
  bar.start(total, cached, { rate: '-', ...values() });
  const advance = (by: number): void => {
    const seconds = (Date.now() - started) / 1000;
    bar.increment(by, { rate: formatRate(asked / seconds), ...values() });
  };
  return {
    tick(spend) {
      asked += 1;
      if (spend && (spend.inputTokens > 0 || spend.outputTokens > 0)) usage = ` | ${formatSpend(spend, priced)}`;
      advance(1);
    },
    fail(cause) {
      asked += 1;
      errors += 1;
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
      advance(1);
    },
    cached(count) {
      cached += count;
      advance(count);
    },
    retry() {
      retries += 1;
      bar.update(values());
    },
    note(text) {
      note = text;
      bar.update(values());
    },
    stop() {
      bar.stop();
    },
  };
}
