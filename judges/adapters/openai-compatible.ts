/**
 * The `openai-compatible` adapter: the same chat completions call as the `openai` adapter, against any server
 * that speaks OpenAI's API (vLLM, Ollama, llama.cpp server, TGI's Messages API). The server's URL is required
 * (there is no default to guess); a key is optional, since self-hosted servers usually run without one.
 *
 * A hosted service with OpenAI's API (its own URL and key variable) is one module made with
 * `openaiCompatibleService` and one line in the registry (index.ts), e.g.
 *   export const togetherAdapter = openaiCompatibleService({
 *     name: 'together', defaultBaseURL: 'https://api.together.xyz/v1', defaultApiKeyEnv: 'TOGETHER_API_KEY' });
 */
import { SELF_HOSTED, type Adapter } from './adapter.ts';
import { CHAT_CAPABILITIES, createChatCompletionsClient } from './openai.ts';

/**
 * Sent as the bearer token when no key is configured: the SDK refuses to build a client without one, and servers
 * started without a key ignore the header. Passing it explicitly also stops the SDK from falling back to
 * OPENAI_API_KEY, which would hand an OpenAI key to a third-party server.
 */
export const NO_KEY_PLACEHOLDER = 'no-key';

/** A hosted service that speaks OpenAI's chat completions API. */
interface OpenAICompatibleService {
  /** The judge config's "adapter". */
  name: string;
  /** The service's API, e.g. "https://api.together.xyz/v1": used when the judge's config gives no "baseURL". */
  defaultBaseURL: string;
  /** The variable its key is read from when the judge's config names none, e.g. "TOGETHER_API_KEY". */
  defaultApiKeyEnv: string;
  /** The service SDK's own variable for the URL, if it has one: honoured after the config's "baseURL". */
  baseURLEnv?: string;
}

/** The chat completions client for a server that is not OpenAI's: no organisation or project headers. */
const createClient: Adapter['create'] = (spec, access) => {
  // createApiJudge refuses to build such a judge without a URL; this guards other callers.
  if (!access.baseURL) throw new Error(`the ${spec.adapter} adapter needs a baseURL for ${spec.id}`);
  return createChatCompletionsClient(spec, {
    apiKey: access.apiKey ?? NO_KEY_PLACEHOLDER,
    baseURL: access.baseURL,
    secret: access.apiKey,
    query: access.query,
    basicAuth: access.basicAuth,
  });
};

export const openaiCompatibleAdapter: Adapter = {
  name: 'openai-compatible',
  // No default variable: a server's key is named per judge ("apiKeyEnv"), never borrowed from OPENAI_API_KEY.
  // No OPENAI_BASE_URL either: that variable means "where OpenAI is", and this adapter is for other servers, each
  // named by its own config entry (e.g. ${LLAMA_BASE_URL}).
  ...SELF_HOSTED,
  capabilities: CHAT_CAPABILITIES,
  create: createClient,
};

/** An adapter for a hosted OpenAI-compatible service: its URL by default, and a key it cannot do without. */
export function openaiCompatibleService(service: OpenAICompatibleService): Adapter {
  return {
    ...service,
    keyOptional: false,
    needsBaseURL: false,
    keyInAuthorization: true,
    capabilities: CHAT_CAPABILITIES,
    create: createClient,
  };
}
