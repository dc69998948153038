/**
 * `data pull`: a benchmark's official files at a pinned revision, size and sha256 verified, partial downloads
 * resumed.
 */
import { getBenchmark } from '../../benchmarks/index.ts';
import { resolveDataDir } from '../../core/data-dir.ts';
import { UserError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';

export interface PullFlags {
  data?: string;
  progress: boolean;
}

export async function pullCommand(name: string, flags: PullFlags): Promise<number> {
  const benchmark = getBenchmark(name);
  if (benchmark.downloads.length === 0) throw new UserError(`${name} has nothing to download.`);
  const dataDir = resolveDataDir(flags.data);
  for (const spec of benchmark.downloads) {
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
