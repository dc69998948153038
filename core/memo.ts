/**
 * Caches an async loader per key (a file path): data files are read and validated once per process however
 * many judges or benchmarks use them. A failed load is not cached, so a fixed file is read again.
 */
export function memoizeByKey<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let pending = cache.get(key);
    if (!pending) {
      pending = load(key);
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  };
}
