/**
 * `data pull`: a benchmark's official files at a pinned revision, size and sha256 verified, partial downloads
 * resumed.
 */
import { REGISTERED, benchmarksNamed } from '../../benchmarks/index.ts';
import { resolveDataDir } from '../../core/data-dir.ts';
import type { DownloadSpec } from '../../core/download.ts';
import { UserError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';

export interface PullFlags {
  data?: string;
  progress: boolean;
}

/**
 * What `data pull <name>` fetches: the benchmark's files (a group's: `judgebench`, both splits), or for `all` those
 * of every registered benchmark that has any, in registry order, each file once (aggrefact and aggrefact-tuned share
 * theirs).
 */
export function filesToPull(name: string): DownloadSpec[] {
  const benchmarks = name === 'all' ? REGISTERED : benchmarksNamed(name);
  const specs = new Map(benchmarks.flatMap((b) => b.downloads).map((spec) => [spec.dest, spec]));
  if (specs.size === 0) throw new UserError(`${name} has nothing to download.`);
  return [...specs.values()];
}

export async function pullCommand(name: string, flags: PullFlags): Promise<number> {
  const specs = filesToPull(name);
  const dataDir = resolveDataDir(flags.data);
  for (const spec of specs) {
    const { download, downloadUrl } = await import('../../core/download.ts');
    process.stderr.write(`${spec.description}\n  from ${downloadUrl(spec)}\n`);
    const result = await download(spec, dataDir, { progress: flags.progress });
    const resumed = result.resumedFrom > 0 ? ` (resumed at byte ${result.resumedFrom})` : '';
    const check = result.verified
      ? 'size and sha256 verified'
      : `not verified: no published checksum; sha256 ${result.sha256}`;
    process.stderr.write(`  ${result.status}${resumed}: ${result.path} (${check})\n`);
  }
  return EXIT_CODES.done.code;
}
