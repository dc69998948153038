#!/usr/bin/env node
/**
 * autorater: the CLI. Its commands (harness/commands/index.ts): `eval` runs a judge over benchmarks and prints the
 * paper-style tables; `compare` compares judges on what they both judged; `view` writes a run's per-item HTML
 * page; `leaderboard` builds the nightly leaderboard; `data pull` fetches benchmark files. npm scripts:
 * `npm run eval -- <flags>`, `npm run data -- pull`.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../core/errors.ts';
import { EXIT_CODES } from '../core/exit-codes.ts';
import { addCommand } from './commands/define.ts';
import { compareSpec, evalSpec, leaderboardSpec, pullSpec, viewSpec } from './commands/index.ts';
import { storeFailure } from './store-guard.ts';

export function buildProgram(): Command {
  const program = new Command('autorater')
    .description("Measure how good LLM judges (autoraters) are, on the FLAMe paper's benchmarks.")
    .showHelpAfterError('(add --help for usage)')
    // Set before any .command(): subcommands inherit both. Commander then throws its usage errors (and --help) to
    // main() instead of exiting with its own code 1, so they end with the table's 2 (help: 0).
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'autorater: ')) });
  for (const spec of [evalSpec, compareSpec, viewSpec, leaderboardSpec]) addCommand(program, spec);
  addCommand(program.command('data').description('Fetch benchmark data into the data folder.'), pullSpec);
  return program;
}

/** Says what ended a command (one line, unless it is a bug) and gives its exit code. */
function failed(error: unknown): number {
  // Commander has printed its message (or the help) already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.done.code : EXIT_CODES.usage.code;
  const failure = storeFailure(error) ?? error; // a SQLite error is the store's: named, with what to do
  if (failure instanceof UserError) {
    process.stderr.write(`autorater: ${failure.message}\n`);
    return failure.exitCode;
  }
  const trace = failure instanceof Error ? (failure.stack ?? failure.message) : String(failure);
  process.stderr.write(`autorater: unexpected error: ${trace}\n`);
  return EXIT_CODES.internal.code;
}

export async function main(argv: string[]): Promise<void> {
  // An error thrown outside the command's promise chain (a timer, an unawaited promise) ends the process the same way,
  // not with Node's own trace and code 1; the store's committed transactions are safe without closing it.
  process.on('uncaughtException', (error) => process.exit(failed(error)));
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = failed(error);
  }
}

await main(process.argv);
