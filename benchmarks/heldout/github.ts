/**
 * Download specs for held-out files hosted on GitHub: pinned at the snapshot commit SOURCES.md names, placed at
 * `heldout/<folder>/<path in the repository>` (the layout of the shared data folder), verified by size and sha256
 * (measured on the shared copies, which are byte-identical to that commit).
 */
import type { DownloadSpec } from '../../core/download.ts';

export interface GithubSnapshot {
  repo: string;
  commit: string;
  /** Folder under heldout/ in the data directory. */
  folder: string;
}

export function githubFile(snapshot: GithubSnapshot, path: string, size: number, sha256: string): DownloadSpec {
  return {
    description: `${snapshot.repo}: ${path}`,
    source: { kind: 'github', repo: snapshot.repo, commit: snapshot.commit, path },
    dest: `heldout/${snapshot.folder}/${path}`,
    size,
    sha256,
  };
}
