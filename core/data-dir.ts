import path from 'node:path';

/** `--data DIR`, else $AUTORATER_DATA, else ./data; always absolute so error messages say exactly where we looked. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.AUTORATER_DATA ?? 'data';
  return path.resolve(chosen);
}
