/**
 * protocol "tgi": Hugging Face Text Generation Inference's native route (baseURL "http://host:8080"). `inputs`
 * is sent as plain text; /generate applies no chat template (only /v1/chat/completions would).
 *
 *   POST {baseURL}/generate
 *   { "inputs": "<prompt>",
 *     "parameters": { "max_new_tokens", "do_sample", "temperature"?, "top_p"?, "details": true,
 *                     "top_n_tokens": 5, "return_full_text": false } }
 *   → { "generated_text",
 *       "details": { "finish_reason", "generated_tokens", "seed", "prefill": [...],
 *                    "tokens": [{ "id", "text", "logprob", "special" }],
 *                    "top_tokens": [[{ "id", "text", "logprob", "special" }]] } }
 *   headers: x-prompt-tokens, x-generated-tokens
 *
 * Decoding, from TGI's router (router/src/validation.rs): a temperature <= 0 is rejected ("temperature must be
 * strictly positive"), top_p must lie strictly between 0 and 1, top_n_tokens must not exceed
 * --max-top-n-tokens (default 5), and sampling is switched on by do_sample OR by any of temperature, top_k,
 * top_p, typical_p being present. So greedy decoding (temperature 0, the paper's protocol) is do_sample false
 * with temperature and top_p left out; any positive temperature is sent as is with do_sample true, and top_p
 * only when it is below 1.
 *
 * Usage: the router reports the prompt's length in the x-prompt-tokens header and the reply's in
 * details.generated_tokens; details.prefill lists the prompt tokens only when decoder_input_details is asked
 * for (it is not: it would return the whole prompt again), so it is a fallback.
 */
import { z } from 'zod';
import type { Usage } from '../judge.ts';
import type { GeneratedToken } from './top-logprobs.ts';
import { TOP_K } from './top-logprobs.ts';
import { joinURL, readShape, type Decoding, type WireProtocol } from './flame-http.ts';

const token = z.object({
  text: z.string(),
  logprob: z.number().nullable().optional(),
  special: z.boolean().optional(),
});

const details = z.object({
  generated_tokens: z.number().optional(),
  prefill: z.array(z.unknown()).optional(),
  tokens: z.array(token).optional(),
  top_tokens: z.array(z.array(token)).optional(),
});

const generation = z.object({
  generated_text: z.string(),
  // A malformed details block costs the usage and probabilities, never the reply.
  details: details.nullable().optional().catch(null),
});

function parameters(decoding: Decoding): Record<string, unknown> {
  const sampling = decoding.temperature > 0;
  return {
    max_new_tokens: decoding.maxOutputTokens,
    do_sample: sampling,
    ...(sampling ? { temperature: decoding.temperature } : {}),
    ...(sampling && decoding.topP !== undefined && decoding.topP < 1 ? { top_p: decoding.topP } : {}),
    details: true,
    top_n_tokens: TOP_K,
    return_full_text: false,
  };
}

/** Generated tokens without special ones (EOS), which are not part of generated_text. */
function tokensOf(d: z.infer<typeof details>): GeneratedToken[] | undefined {
  if (!d.tokens) return undefined;
  const out: GeneratedToken[] = [];
  d.tokens.forEach((t, i) => {
    if (t.special) return;
    const top = (d.top_tokens?.[i] ?? [])
      .filter((a) => typeof a.logprob === 'number')
      .map((a) => ({ text: a.text, logprob: a.logprob as number }));
    out.push({ text: t.text, logprob: t.logprob ?? undefined, top });
  });
  return out;
}

function headerCount(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

function usageOf(d: z.infer<typeof details> | null | undefined, headers: Headers): Usage | undefined {
  const prefill = d?.prefill && d.prefill.length > 0 ? d.prefill.length : undefined;
  const inputTokens = headerCount(headers, 'x-prompt-tokens') ?? prefill;
  const outputTokens = d?.generated_tokens ?? headerCount(headers, 'x-generated-tokens');
  return inputTokens === undefined && outputTokens === undefined ? undefined : { inputTokens, outputTokens };
}

export const tgiGenerate: WireProtocol = {
  logprobs: true,
  url: (baseURL) => joinURL(baseURL, '/generate'),
  body: (prompt, decoding) => ({ inputs: prompt, parameters: parameters(decoding) }),
  read(reply) {
    const body = readShape(generation, reply.json, 'TGI /generate response (generated_text)');
    return {
      text: body.generated_text,
      usage: usageOf(body.details, reply.headers),
      tokens: body.details ? tokensOf(body.details) : undefined,
    };
  },
};
