/**
 * Every CLI command is built the same way: its flags (from ./flags.ts), the text after the options in its --help
 * ending with its exit codes (from the one table, core/exit-codes.ts), and an action that returns the exit code.
 * Commands whose code is large load it when they run (`() => import(...)`), so every command pays for what it uses.
 */
import type { Command, Option } from 'commander';
import { type ExitCodeName, exitCodesHelp } from '../../core/exit-codes.ts';

export interface CommandSpec {
  name: string;
  /** A positional argument: its syntax and description. */
  argument?: [string, string];
  description: string;
  options: Option[];
  /** Notes and examples printed after the options; the exit codes follow them. */
  help: () => string[];
  exitCodes: (ExitCodeName | [ExitCodeName, string])[];
  /** Lines after the exit codes. */
  footer?: string[];
  // biome-ignore lint/suspicious/noExplicitAny: commander hands each action its parsed flags untyped
  run: (...args: any[]) => Promise<number>;
}

export function addCommand(parent: Command, spec: CommandSpec): Command {
  const command = parent.command(spec.name).description(spec.description);
  if (spec.argument) command.argument(...spec.argument);
  for (const option of spec.options) command.addOption(option);
  command.addHelpText('after', () => {
    const notes = spec.help();
    const exitCodes = exitCodesHelp(spec.exitCodes);
    return ['', ...notes, ...(notes.length > 0 ? [''] : []), exitCodes, ...(spec.footer ?? [])].join('\n');
  });
  command.action(async (...args: unknown[]) => {
    // commander passes the positional arguments, then the flags, then the command itself
    process.exitCode = await spec.run(...args.slice(0, -1));
  });
  return command;
}
