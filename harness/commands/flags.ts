/**
 * The flags every command shares, defined once: each command picks the ones it takes and words their help for
 * itself (what --seed or --store means in that command), so the same flag parses and validates the same everywhere.
 */
import { InvalidArgumentError, Option } from 'commander';
import { DEFAULT_RESAMPLES } from '../../core/bootstrap.ts';
import { JURY_AGGREGATES } from '../../judges/config.ts';

export const DEFAULT_STORE = '.autorater/runs.sqlite';

/** The parsed flags that choose a judge and its items, the same in eval, compare and view. */
export interface SelectionFlags {
  judge?: string;
  benchmark: string;
  data?: string;
  store: string;
  out?: string;
  seed: number;
  sample?: number;
  limit?: number;
  swap: boolean;
  config?: string;
}

export function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}.`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function probability(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n >= 1)
      throw new InvalidArgumentError(`${name} must be a number between 0 and 1.`);
    return n;
  };
}

export function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0.`);
    return n;
  };
}

export const FLAGS = {
  judge: (what: string) => new Option('-j, --judge <id>', what),
  benchmark: () =>
    new Option('-b, --benchmark <ids>', 'benchmark id, several comma-separated, or "all"').default('rewardbench'),
  data: (what = 'data folder (default: $AUTORATER_DATA, else ./data)') => new Option('--data <dir>', what),
  store: (what: string) => new Option('--store <file>', what).default(DEFAULT_STORE),
  out: (what: string) => new Option('--out <dir>', what),
  seed: (what: string) => new Option('--seed <n>', what).argParser(integer('--seed', 0)).default(0),
  sample: (what: string) => new Option('--sample <n>', what).argParser(integer('--sample', 1)),
  limit: (what: string) => new Option('--limit <n>', what).argParser(integer('--limit', 1)),
  swap: (what: string) => new Option('--swap', what).default(false),
  resamples: (what: string) =>
    new Option('--resamples <n>', what).argParser(integer('--resamples', 0)).default(DEFAULT_RESAMPLES),
  /** The user's judge config file (over autorater.config.json); $AUTORATER_CONFIG when not given. */
  judgeConfig: (what: string) => new Option('--config <file>', what).default(process.env.AUTORATER_CONFIG),
  progress: (what = 'no progress bar') => new Option('--no-progress', what),
  /** How juries (--judge jury:a,b,c, or a named one) combine their members' ratings. */
  juryAggregate: () =>
    new Option(
      '--jury-aggregate <how>',
      "a jury's rating: the mean or median of its members' ratings, rounded half up (default: mean, or a named " +
        'jury\'s "aggregate")',
    ).choices(JURY_AGGREGATES),
};
