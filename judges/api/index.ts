/** Provider adapters by name (the "adapter" field of a configured judge). Adding a provider: one module, one line. */
import type { AdapterName } from '../config.ts';
import type { Adapter } from './adapter.ts';
import { anthropicAdapter } from './anthropic.ts';
import { flameAdapter } from './flame.ts';
import { geminiAdapter } from './gemini.ts';
import { openaiCompatibleAdapter } from './openai-compatible.ts';
import { openaiAdapter } from './openai.ts';

export const ADAPTERS: Partial<Record<AdapterName, Adapter>> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  'openai-compatible': openaiCompatibleAdapter,
  flame: flameAdapter,
};
