/**
 * A run store that cannot be used (damaged, not SQLite, a newer schema, read-only, disk full) ends every command with
 * one line and exit 8, never a stack trace, and never writes into what was stored; usage errors end with 2.
 *
 * Two cases need what root usually has: a read-only file means nothing to root (CAP_DAC_OVERRIDE), so that run
 * drops the capability with setpriv; a read-only filesystem and a full disk are a bind mount and a tiny tmpfs in a
 * private mount namespace (unshare -m), gone when the command ends. Without those tools the cases are skipped.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodesHelp } from '../core/exit-codes.ts';
import { CLI, DATA_DIR, runCli, runCommand, tempDir, type CliResult } from './helpers.ts';

const EVAL = ['eval', '--judge', 'longer-wins', '--benchmark', 'rewardbench', '--limit', '20', '--resamples', '0'];
EVAL.push('--no-progress');
const STORE_EXIT = EXIT_CODES.store.code;
const USAGE_EXIT = EXIT_CODES.usage.code;

const isRoot = process.getuid?.() === 0;
const succeeds = (command: string, args: string[]): boolean =>
  spawnSync(command, args, { stdio: 'ignore' }).status === 0;
/** Root ignores file modes unless it lacks CAP_DAC_OVERRIDE (and CAP_DAC_READ_SEARCH); anyone else does not. */
const DROP_DAC = ['--bounding-set', '-dac_override,-dac_read_search', '--inh-caps', '-dac_override,-dac_read_search'];
const canDropDac = !isRoot || succeeds('setpriv', [...DROP_DAC, 'true']);
/** Root mounts in a private mount namespace; anyone else in a user namespace of their own, where that is allowed. */
const UNSHARE = isRoot ? ['-m'] : ['-r', '-m'];
const canMount = (() => {
  const point = tempDir('autorater-mount-probe-');
  return succeeds('unshare', [...UNSHARE, 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$1"', 'sh', point]);
})();

/** Runs any command with the CLI's environment (the real data). */
const run = (command: string, args: string[]): Promise<CliResult> => runCommand(command, args);

/** Exit 8 and exactly one line of its own, with no stack trace; returns that line. */
function expectStoreFailure(result: CliResult): string {
  expect(result.code, result.stderr).toBe(STORE_EXIT);
  expect(result.stderr).not.toContain('    at ');
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('autorater:'));
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0]!;
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Deterministic bytes that are not what was there (a disk or a copy gone wrong, not an edit). */
function garbage(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

let dir: string;
/** A healthy store holding 20 longer-wins judgments, made by the CLI; every case damages a copy. */
let good: string;
let pageSize: number;

function copyOfGood(name: string, damage?: (bytes: Buffer) => Buffer): string {
  const file = path.join(dir, `${name}.sqlite`);
  const bytes = fs.readFileSync(good);
  fs.writeFileSync(file, damage ? damage(bytes) : bytes);
  return file;
}

function overwrite(bytes: Buffer, offset: number, length: number, seed: number): Buffer {
  const copy = Buffer.from(bytes);
  garbage(length, seed).copy(copy, offset);
  return copy;
}

function judgmentsOf(file: string, judge: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM judgments WHERE judge_id = ?').get(judge) as { n: number }).n;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = tempDir('autorater-damaged-store-');
  good = path.join(dir, 'good.sqlite');
  const made = await runCli([...EVAL, '--store', good]);
  expect(made.code, made.stderr).toBe(0);
  expect(judgmentsOf(good, 'longer-wins')).toBe(20);
  pageSize = fs.readFileSync(good).readUInt16BE(16);
});

describe('a damaged run store', () => {
  /** Runs eval on the store and checks it failed with one line, leaving the file exactly as it was. */
  async function failsUntouched(file: string): Promise<string> {
    const before = sha256(file);
    const line = expectStoreFailure(await runCli([...EVAL, '--store', file]));
    expect(line).toContain(file);
    expect(sha256(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`) || fs.existsSync(`${file}-shm`)).toBe(false);
    return line;
  }

  it('truncated to half: damaged, nothing written', async () => {
    const file = copyOfGood('truncated', (b) => b.subarray(0, Math.floor(b.length / 2 / pageSize) * pageSize));
    expect(await failsUntouched(file)).toMatch(/is damaged \(.+\): move it aside \(mv .+\) and rerun/);
  });

  it('garbage over page 1 (the schema page, right after the file header): damaged', async () => {
    const line = await failsUntouched(copyOfGood('garbage-page1', (b) => overwrite(b, 100, 64, 1)));
    expect(line).toContain('is damaged (SQLITE_CORRUPT');
  });

  it('garbage over the file header: not a SQLite database', async () => {
    const line = await failsUntouched(copyOfGood('garbage-header', (b) => overwrite(b, 0, 16, 2)));
    expect(line).toContain('is not a SQLite database (SQLITE_NOTADB: file is not a database)');
  });

  it('garbage over a page of judgments, a page no command reads before it writes: damaged', async () => {
    const db = new Database(good);
    const leaf = db.prepare("SELECT pageno FROM dbstat WHERE name = 'judgments' AND pagetype = 'leaf'").get() as {
      pageno: number;
    };
    db.close();
    const file = copyOfGood('garbage-leaf', (b) => overwrite(b, (leaf.pageno - 1) * pageSize, 48, 3));
    expect(await failsUntouched(file)).toMatch(/is damaged \(quick_check: .*page \d+/);
  });

  it('garbage inside a stored verdict, pages intact: damaged, not a crash when it is read', async () => {
    // The verdict text also lingers in free space (rows moved when pages split): take an occurrence in a live row,
    // one whose garbage makes reading the verdicts back (store.ts: JSON.parse) throw.
    const probe = path.join(dir, 'probe.sqlite');
    const readsBack = (): boolean => {
      const db = new Database(probe);
      try {
        const rows = db.prepare('SELECT verdict FROM judgments').all() as { verdict: string }[];
        for (const row of rows) JSON.parse(row.verdict);
        return true;
      } catch {
        return false;
      } finally {
        db.close();
      }
    };
    const bytes = fs.readFileSync(good);
    const verdict = Buffer.from('{"kind":"pairwise","choice":');
    let damaged: Buffer | undefined;
    for (let at = bytes.indexOf(verdict); at >= 0 && !damaged; at = bytes.indexOf(verdict, at + 1)) {
      const candidate = overwrite(bytes, at + 1, 12, 4);
      fs.writeFileSync(probe, candidate);
      if (!readsBack()) damaged = candidate;
    }
    expect(damaged, 'no stored verdict to damage').toBeDefined();
    const file = copyOfGood('garbage-row', () => damaged!);
    expect(await failsUntouched(file)).toMatch(/is damaged \(judgments row \d+: verdict or option_probs is not JSON\)/);
  });

  it('a file of random bytes: not a SQLite database', async () => {
    const file = path.join(dir, 'random.sqlite');
    fs.writeFileSync(file, garbage(10 * pageSize, 5));
    expect(await failsUntouched(file)).toContain('SQLITE_NOTADB');
  });

  it('written by a newer schema (user_version 99): says so, and leaves it alone', async () => {
    const file = copyOfGood('newer');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(await failsUntouched(file)).toContain('was written by a newer autorater-harness (store schema 99)');
  });

  it('compare and leaderboard open the store the same way', async () => {
    const file = copyOfGood('shared', (b) => overwrite(b, 100, 64, 6));
    const before = sha256(file);
    const compare = ['compare', '--judge', 'longer-wins', '--baseline', 'random', '--limit', '20', '--resamples', '0'];
    compare.push('--permutations', '1', '--store', file);
    expect(expectStoreFailure(await runCli(compare))).toContain('is damaged');
    const config = path.join(dir, 'leaderboard.json');
    const judges = { judges: ['longer-wins'], benchmarks: ['rewardbench'], seed: 0, sample: null, resamples: 0 };
    fs.writeFileSync(config, JSON.stringify(judges));
    const leaderboard = ['leaderboard', '--leaderboard-config', config, '--out', path.join(dir, 'lb'), '--no-progress'];
    expect(expectStoreFailure(await runCli([...leaderboard, '--store', file]))).toContain('is damaged');
    expect(sha256(file)).toBe(before);
  });
});

describe('a run store that cannot be written', () => {
  it.skipIf(!canDropDac)('a read-only file (chmod 0444): says so, and the store is unchanged', async () => {
    const folder = path.join(dir, 'readonly-file');
    fs.mkdirSync(folder);
    const file = path.join(folder, 'runs.sqlite');
    fs.copyFileSync(good, file);
    fs.chmodSync(file, 0o444);
    const before = sha256(file);
    const args = [...EVAL, '--store', file];
    const result = isRoot ? await run('setpriv', [...DROP_DAC, process.execPath, CLI, ...args]) : await runCli(args);
    const line = expectStoreFailure(result);
    expect(line).toContain(`run store ${file} cannot be written (SQLITE_READONLY`);
    expect(sha256(file)).toBe(before);
    expect(judgmentsOf(file, 'longer-wins')).toBe(20);
  });

  it.skipIf(!canMount)('on a read-only filesystem: exit 8, one line', async () => {
    const folder = path.join(dir, 'readonly-fs');
    fs.mkdirSync(folder);
    const file = path.join(folder, 'runs.sqlite');
    fs.copyFileSync(good, file);
    const before = sha256(file);
    const script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"';
    const command = [process.execPath, CLI, ...EVAL, '--store', file];
    const result = await run('unshare', [...UNSHARE, 'sh', '-c', script, 'sh', folder, ...command]);
    expect(expectStoreFailure(result)).toMatch(/cannot be (written|opened) \(SQLITE_(READONLY|CANTOPEN)/);
    expect(sha256(file)).toBe(before);
  });

  it.skipIf(!canMount)('the disk fills mid-run: exit 8, one line, what was committed is readable', async () => {
    const mount = path.join(dir, 'tmpfs');
    const saved = path.join(dir, 'after-disk-full');
    fs.mkdirSync(mount);
    fs.mkdirSync(saved);
    // Room for the store and a few batches of judgments: shorter-wins on all 2,985 items fills it part way.
    const size = Math.ceil((fs.statSync(good).size + 360 * 1024) / 4096) * 4096;
    const script = [
      'mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 99',
      'cp "$3" "$2/runs.sqlite" || exit 99',
      'AUTORATER_DATA="$4" "$5" "$6" eval --judge shorter-wins --benchmark rewardbench --resamples 0 --no-progress \\',
      '  --store "$2/runs.sqlite"',
      'code=$?',
      // The tmpfs goes with the namespace: keep the store and its WAL (committed judgments not yet checkpointed).
      'cp "$2"/runs.sqlite* "$7"/ || exit 99',
      'exit $code',
    ].join('\n');
    const args = [String(size), mount, good, DATA_DIR, process.execPath, CLI, saved];
    const result = await run('unshare', [...UNSHARE, 'sh', '-c', script, 'sh', ...args]);
    const line = expectStoreFailure(result);
    expect(line).toContain(': the disk is full (SQLITE_FULL: database or disk is full): free some space');

    const file = path.join(saved, 'runs.sqlite');
    const db = new Database(file, { fileMustExist: true });
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    db.close();
    expect(judgmentsOf(file, 'longer-wins')).toBe(20); // stored before this run
    const committed = judgmentsOf(file, 'shorter-wins'); // this run's batches committed before the disk filled
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(2985);
  });
});

describe('usage errors exit 2, help exits 0, for every command', () => {
  const usage = async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(USAGE_EXIT);
    expect(result.stderr).not.toContain('    at ');
    return result;
  };

  it('an unknown flag', async () => {
    for (const command of [['eval'], ['compare'], ['leaderboard'], ['data', 'pull', 'rewardbench']]) {
      const { stderr } = await usage([...command, '--no-such-flag']);
      expect(stderr).toContain("autorater: unknown option '--no-such-flag'");
    }
  });

  it('a bad flag value', async () => {
    for (const command of ['eval', 'compare']) {
      expect((await usage([command, '--seed', 'abc'])).stderr).toContain('--seed must be an integer ≥ 0.');
    }
    expect((await usage(['compare', '--alpha', '2'])).stderr).toContain('--alpha must be a number between 0 and 1.');
  });

  it('a missing argument, a missing or unknown command', async () => {
    expect((await usage(['data', 'pull'])).stderr).toContain("autorater: missing required argument 'benchmark'");
    expect((await usage(['data'])).stderr).toContain('Usage: autorater data');
    expect((await usage([])).stderr).toContain('Usage: autorater');
    expect((await usage(['nope'])).stderr).toContain("autorater: unknown command 'nope'");
  });

  it('--help, with the exit codes from the one table', async () => {
    for (const command of [['eval'], ['compare'], ['leaderboard'], ['data', 'pull'], ['view'], []]) {
      const { code, stdout } = await runCli([...command, '--help']);
      expect(code, command.join(' ')).toBe(0);
      expect(stdout).toContain('Usage: autorater');
    }
    const { stdout } = await runCli(['eval', '--help']);
    const names = ['done', 'internal', 'usage', 'data', 'itemsFailed', 'maxCost', 'endpoint', 'store'] as const;
    expect(stdout).toContain(exitCodesHelp([...names, 'batchPending', 'interrupted']));
    expect(stdout).toContain(`  8   ${EXIT_CODES.store.meaning}`);
  });
});
