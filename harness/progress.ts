/**
 * Progress bars on stderr (cli-progress). They draw only when stderr is a terminal, so logs, CI and tests
 * get clean output; stdout stays free for tables and prompts.
 */
import cliProgress from 'cli-progress';
import type { Spend } from './spend.ts';

export interface RunProgress {
  /** One request finished; `error` marks one with no answer. `spend` is the run's running total. */
  tick(error: boolean, spend?: Spend): void;
  /** A request is being retried. */
  retry(): void;
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
  return priced ? `${tokens} | $${spend.costUsd.toFixed(2)}` : tokens;
}

/** done/total, rate, ETA, cached, errors and retries; tokens (and dollars, for a priced judge) once there are any. */
export function runBar(label: string, total: number, cached: number, enabled: boolean, priced = false): RunProgress {
  const silent: RunProgress = { tick() {}, retry() {}, stop() {} };
  if (!enabled || !process.stderr.isTTY || total === 0) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} | {rate} items/s | ETA {eta_formatted} | cached {cached} | errors {errors} | retries {retries}{usage}`,
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
  bar.start(total, cached, { rate: '-', cached, errors, retries, usage });
  return {
    tick(error, spend) {
      asked += 1;
      if (error) errors += 1;
      if (spend && (spend.inputTokens > 0 || spend.outputTokens > 0)) usage = ` | ${formatSpend(spend, priced)}`;
      const seconds = (Date.now() - started) / 1000;
      bar.increment(1, { rate: formatRate(asked / seconds), cached, errors, retries, usage });
    },
    retry() {
      retries += 1;
      bar.update({ retries });
    },
    stop() {
      bar.stop();
    },
  };
}

export function byteBar(label: string, total: number, start: number): { update(value: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {mb}/{totalMb} MB | ETA {eta_formatted}`,
      barsize: 24,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
  bar.start(total, start, { mb: mb(start), totalMb: mb(total) });
  return {
    update(value) {
      bar.update(value, { mb: mb(value), totalMb: mb(total) });
    },
    stop() {
      bar.stop();
    },
  };
}
