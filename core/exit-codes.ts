/**
 * The one table of exit codes: every command returns or throws with one of these, the --help texts are generated
 * from it, and the README lists the same. Scripts (CI gates, nightly jobs) branch on these numbers, so a code's
 * meaning never changes; a new kind of failure gets a new code.
 */
interface ExitCodeEntry {
  readonly code: number;
  /** One line, as --help prints it. */
  readonly meaning: string;
}

export const EXIT_CODES = {
  done: { code: 0, meaning: 'done' },
  internal: { code: 1, meaning: 'internal error (a bug: the stack trace is printed)' },
  usage: { code: 2, meaning: 'bad usage (flags, judge config)' },
  data: { code: 3, meaning: 'data missing or malformed' },
  itemsFailed: { code: 4, meaning: 'some items failed, or the endpoint went away mid-run (stored; rerun to retry)' },
  maxCost: { code: 5, meaning: 'stopped by --max-cost' },
  regression: { code: 6, meaning: 'compare --fail-on-regression found a regression' },
  endpoint: {
    code: 7,
    meaning: 'judge endpoint unusable (connection refused, DNS, TLS, 401/403, unknown model, bad URL, missing key)',
  },
  store: { code: 8, meaning: 'run store unusable (damaged, newer schema, read-only, disk full)' },
  batchPending: {
    code: 9,
    meaning: 'some items are in provider batches not ended yet (eval --batch; run it again later to collect them)',
  },
  interrupted: { code: 130, meaning: 'interrupted (everything finished so far is stored)' },
} as const satisfies Record<string, ExitCodeEntry>;

export type ExitCodeName = keyof typeof EXIT_CODES;

/**
 * The "Exit codes:" table of a command's --help: the codes it can end with, each with the table's meaning unless
 * the command reads it more specifically (e.g. compare's 4).
 */
export function exitCodesHelp(codes: (ExitCodeName | [ExitCodeName, string])[]): string {
  const rows = codes.map((c) => {
    const [name, meaning] = typeof c === 'string' ? [c, EXIT_CODES[c].meaning] : c;
    return `  ${String(EXIT_CODES[name].code).padEnd(4)}${meaning}`;
  });
  return ['Exit codes:', ...rows].join('\n');
}
