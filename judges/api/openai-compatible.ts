/**
 * The `openai-compatible` adapter: the same chat completions call as the `openai` adapter, against any server
 * that speaks OpenAI's API (vLLM, Ollama, llama.cpp server, TGI's Messages API). The server's URL is required
 * (there is no default to guess); a key is optional, since self-hosted servers usually run without one.
 */
import type { Adapter } from './adapter.ts';
import { createChatCompletionsClient } from './openai.ts';

/**
 * Sent as the bearer token when no key is configured: the SDK refuses to build a client without one, and servers
 * started without a key ignore the header. Passing it explicitly also stops the SDK from falling back to
 * OPENAI_API_KEY, which would hand an OpenAI key to a third-party server.
 */
export const NO_KEY_PLACEHOLDER = 'no-key';

export const openaiCompatibleAdapter: Adapter = {
  name: 'openai-compatible',
  // No default variable: a server's key is named per judge ("apiKeyEnv"), never borrowed from OPENAI_API_KEY.
  keyOptional: true,
  // No OPENAI_BASE_URL here: that variable means "where OpenAI is", and this adapter is for other servers, each
  // named by its own config entry (e.g. ${LLAMA_BASE_URL}).
  needsBaseURL: true,
  keyInAuthorization: true,
  create(spec, access) {
    // createApiJudge refuses to build such a judge without a URL; this guards other callers.
    if (!access.baseURL) throw new Error(`the openai-compatible adapter needs a baseURL for ${spec.id}`);
    return createChatCompletionsClient(spec, {
      apiKey: access.apiKey ?? NO_KEY_PLACEHOLDER,
      baseURL: access.baseURL,
      secret: access.apiKey,
      query: access.query,
      basicAuth: access.basicAuth,
    });
  },
};
