/**
 * Progress bars on stderr (cli-progress). They draw only when stderr is a terminal, so logs, CI and tests
 * get clean output; stdout stays free for tables and prompts.
 */
import cliProgress from 'cli-progress';

export interface RunProgress {
  /** One item finished; `error` marks an item with no answer. */
  tick(error: boolean): void;
  stop(): void;
}

function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '-';
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

export function runBar(label: string, total: number, cached: number, enabled: boolean): RunProgress {
  if (!enabled || !process.stderr.isTTY || total === 0) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} | {rate} items/s | ETA {eta_formatted} | cached {cached} | errors {errors}`,
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
  bar.start(total, cached, { rate: '-', cached, errors });
  return {
    tick(error) {
      asked += 1;
      if (error) errors += 1;
      const seconds = (Date.now() - started) / 1000;
      bar.increment(1, { rate: formatRate(asked / seconds), cached, errors });
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
