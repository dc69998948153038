/**
 * Provider adapters, by the name a configured judge gives in "adapter". Adding a provider: one module exporting an
 * Adapter (adapter.ts says what it holds), imported here and listed in ADAPTERS; nothing else changes, since the
 * judge config (judges/config.ts) reads the names, the adapters' own fields and their capabilities from this list.
 * Each module is light: a provider SDK is loaded when a judge needs it, which a baseline or replay run never does.
 */
import type { Adapter } from './adapter.ts';
import { anthropicAdapter } from './anthropic.ts';
import { flameAdapter } from './flame.ts';
import { geminiAdapter } from './gemini.ts';
import { localAdapter } from './local.ts';
import { openaiCompatibleAdapter } from './openai-compatible.ts';
import { openaiAdapter } from './openai.ts';

/** In the order error messages list them. */
export const ADAPTERS: readonly Adapter[] = [
  openaiAdapter,
  anthropicAdapter,
  geminiAdapter,
  openaiCompatibleAdapter,
  flameAdapter,
  localAdapter,
];

/** The adapter ready to create clients: found by name, its `prepare` step run (local: node-llama-cpp is there). */
export async function loadAdapter(name: string, adapters: readonly Adapter[] = ADAPTERS): Promise<Adapter> {
  const adapter = adapters.find((a) => a.name === name);
  if (!adapter) throw new Error(`no adapter "${name}" (adapters: ${adapters.map((a) => a.name).join(', ')})`);
  await adapter.prepare?.();
  return adapter;
}
