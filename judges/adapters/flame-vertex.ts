/**
 * protocol "vertex-predict": a checkpoint deployed to a Vertex AI endpoint (or the same serving container run
 * yourself), called through Vertex's generic online-prediction method. baseURL is the endpoint's resource URL,
 * e.g. "https://us-central1-aiplatform.googleapis.com/v1/projects/P/locations/us-central1/endpoints/E", and the
 * key variable holds an OAuth access token (`gcloud auth print-access-token`), sent as a bearer token.
 *
 *   POST {baseURL}:predict
 *   { "instances": [{ "prompt": "<prompt>", "max_tokens": N, "temperature": T, "top_p"?: P, "raw_response": true }],
 *     "parameters": { "max_tokens": N, "temperature": T, "top_p"?: P } }
 *   → { "predictions": ["<generated text>"], "deployedModelId", "model", "modelDisplayName", "modelVersionId" }
 *
 * Why this shape: Vertex passes `instances` and `parameters` to the container and returns its `predictions`
 * (PredictRequest / PredictResponse in the Vertex REST reference); what an instance holds is the container's
 * choice. The container Google uses for self-deployed open text models (Model Garden's vLLM image, source in
 * GoogleCloudPlatform/vertex-ai-samples, community-content/vertex_model_garden/model_oss/vllm/vllm.patch)
 * reads the prompt and vLLM sampling fields from instances[0] and, with "raw_response": true, returns only the
 * generated text; without it, "Prompt:\n<prompt>\nOutput:\n<text>", which is stripped here if an older image
 * ignores the flag. `parameters` repeats the decoding for containers that read Vertex's request-level slot;
 * the vLLM image ignores it. TGI's own Vertex route (`/vertex`, instances of { inputs, parameters }) always
 * samples, so a TGI server should be used through protocol "tgi" instead.
 *
 * Neither usage nor per-token log-probabilities come back through this route (the vLLM image returns only a
 * cumulative log-probability, and Vertex's PredictResponse carries no token counts), so both are left out.
 */
import { z } from 'zod';
import { joinURL, readShape, type WireProtocol } from './flame-http.ts';

const prediction = z.object({ predictions: z.array(z.string()).min(1) });

/** The vLLM image's reply without raw_response: "Prompt:\n" + prompt.strip() + "\nOutput:\n" + text. */
function withoutEcho(text: string, prompt: string): string {
  const echo = `Prompt:\n${prompt.trim()}\nOutput:\n`;
  return text.startsWith(echo) ? text.slice(echo.length) : text;
}

export const vertexPredict: WireProtocol = {
  logprobs: false,
  url: (baseURL) => joinURL(baseURL, ':predict'),
  body(prompt, decoding) {
    const sampling = {
      max_tokens: decoding.maxOutputTokens,
      temperature: decoding.temperature,
      ...(decoding.topP !== undefined ? { top_p: decoding.topP } : {}),
    };
    return { instances: [{ prompt, ...sampling, raw_response: true }], parameters: sampling };
  },
  read(reply, prompt) {
    const body = readShape(prediction, reply.json, 'Vertex prediction (predictions[0] as text)');
    return { text: withoutEcho(body.predictions[0]!, prompt) };
  },
};
