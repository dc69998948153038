import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export const REPO = path.resolve(import.meta.dirname, '..');
/** The real data: tests and .ci/run set AUTORATER_DATA=../shared/data. */
export const DATA_DIR = path.resolve(REPO, process.env.AUTORATER_DATA ?? '../shared/data');

export function tempDir(prefix = 'autorater-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point of this repo in a child process, as the npm scripts do. */
export function runTs(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return runNode(['--import', 'tsx', path.join(REPO, script), ...args], options);
}

/** Runs `node <args>` in a child process (cwd: this repo unless given), with AUTORATER_DATA set. */
export function runNode(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return runCommand(process.execPath, args, options);
}

/** Runs any command (e.g. the CLI under `unshare` or `setpriv`) as runNode runs node. */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, AUTORATER_DATA: DATA_DIR, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The CLI as `npm run eval` (and the other npm scripts) start it: through harness/launch.mjs and its build. */
export const CLI = path.join(REPO, 'harness', 'launch.mjs');

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return runNode([CLI, ...args], options);
}

/**
 * Runs the CLI once so that its bundle is built (launch.mjs builds when the sources changed): the tests after it
 * time the run, not the build.
 */
export async function warmCliBundle(): Promise<void> {
  const warm = await runCli(['eval', '--print-prompt', '0', '--benchmark', 'rewardbench']);
  if (warm.code !== 0) throw new Error(`the CLI did not start: ${warm.stderr}`);
}

/** Kills (SIGKILL) the processes startCli started that are still running, and forgets them. */
export function killStarted(started: ChildProcess[]): void {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** A CLI process started in the background, for tests that signal or race it. */
export interface RunningCli {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves when it exits, with performance.now() at that moment. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/**
 * Starts the CLI as `npm run` would, without waiting for it. `started` collects the child so the test's afterEach
 * can kill whatever is still running.
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv, started: ChildProcess[]): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, AUTORATER_DATA: DATA_DIR, ...env },
  });
  started.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, stderr: () => stderr, exited };
}

/** Polls `condition` every 10 ms; fails after `timeoutMs` saying what it waited for. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A COUNT(*) query on a run store another process may still be creating: 0 until it can be read. */
export function countInStore(file: string, sql: string): number {
  if (!fs.existsSync(file)) return 0;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // being created
  }
}
