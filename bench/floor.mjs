/**
 * The floor for `npm run bench`: the least any client can do to get the same answers. It sends the same prompts
 * through the same SDK (openai, with the harness's client settings: retries off, one user message) at the same
 * concurrency, and does nothing else: no data loading, no prompt rendering, no store, no parsing, no scoring.
 * The prompts come pre-rendered in a JSON file the bench writes before timing anything. Plain JavaScript, so it
 * starts as fast as Node can: the harness's CLI runs prebuilt too (harness/launch.mjs).
 *
 * usage: node bench/floor.mjs <prompts.json> <baseURL> <concurrency> [sdk-retries]
 * prints {"requestMs": …, "answered": …, "failed": …} on stdout; the bench times the whole process from outside.
 * With sdk-retries (the rate-limit table), it is the plain fixed-concurrency client: the SDK's own retries, which
 * honour retry-after-ms, and a request that still fails is counted, not fatal.
 */
import fs from 'node:fs';
import OpenAI from 'openai';

const [promptsFile, baseURL, concurrencyArg, retriesArg] = process.argv.slice(2);
if (!promptsFile || !baseURL || !concurrencyArg) {
  process.stderr.write('usage: floor.mjs <prompts.json> <baseURL> <concurrency>\n');
  process.exit(2);
}
const prompts = JSON.parse(fs.readFileSync(promptsFile, 'utf8'));
const retries = Number(retriesArg ?? 0);
const client = new OpenAI({ apiKey: 'no-key', baseURL, maxRetries: retries, logLevel: 'off' });

const started = performance.now();
let next = 0;
let answered = 0;
let failed = 0;
// N workers pulling from one queue: exactly N requests in flight until the queue runs dry.
async function worker() {
  while (next < prompts.length) {
    const prompt = prompts[next++];
    const request = { model: 'bench', messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: 1024 };
    if (retries === 0) {
      const reply = await client.chat.completions.create(request);
      if (typeof reply.choices[0]?.message.content === 'string') answered += 1;
      continue;
    }
    try {
      await client.chat.completions.create(request);
      answered += 1;
    } catch {
      failed += 1;
    }
  }
}
await Promise.all(Array.from({ length: Number(concurrencyArg) }, worker));
process.stdout.write(JSON.stringify({ requestMs: performance.now() - started, answered, failed }) + '\n');
