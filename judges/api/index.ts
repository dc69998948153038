/**
 * Provider adapters by name (the "adapter" field of a configured judge). Adding a provider: one module, one line.
 * Loaded on first use: each pulls in a provider SDK, which a run of a baseline or replay judge does not need.
 */
import type { AdapterName } from '../config.ts';
import type { Adapter } from './adapter.ts';

export const ADAPTERS: Record<AdapterName, () => Promise<Adapter>> = {
  openai: () => import('./openai.ts').then((m) => m.openaiAdapter),
  anthropic: () => import('./anthropic.ts').then((m) => m.anthropicAdapter),
  gemini: () => import('./gemini.ts').then((m) => m.geminiAdapter),
  'openai-compatible': () => import('./openai-compatible.ts').then((m) => m.openaiCompatibleAdapter),
  flame: () => import('./flame.ts').then((m) => m.flameAdapter),
  // Checks that the optional node-llama-cpp is installed before any item is asked (one message on how to add it).
  local: () =>
    import('./local.ts').then(async (m) => {
      await m.loadBinding();
      return m.localAdapter;
    }),
};
