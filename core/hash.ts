import { createHash } from 'node:crypto';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal configs always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}

/**
 * A uniform number in [0, 1) determined only by its inputs. Used for per-item random choices (A/B positions,
 * the random judge, sampling) so they do not depend on item order, concurrency or which judge is running.
 */
export function uniform(...parts: (string | number)[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  // 48 bits are plenty and stay exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}
