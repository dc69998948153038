/**
 * The floor for `npm run bench`: the least any client can do to get the same answers. It sends the same prompts
 * through the same SDK (openai, with the harness's client settings: retries off, one user message) at the same
 * concurrency, and does nothing else: no data loading, no prompt rendering, no store, no parsing, no scoring.
 * The prompts come pre-rendered in a JSON file the bench writes before timing anything. Plain JavaScript, so it
 * starts as fast as Node can: the harness's CLI runs prebuilt too (harness/launch.mjs).
 *
 * usage: node bench/floor.mjs <prompts.json> <baseURL> <concurrency>
 * prints {"requestMs": …, "answered": …} on stdout; the bench times the whole process from outside.
 */
import fs from 'node:fs';
import OpenAI from 'openai';

const [promptsFile, baseURL, concurrencyArg] = process.argv.slice(2);
if (!promptsFile || !baseURL || !concurrencyArg) {
  process.stderr.write('usage: floor.mjs <prompts.json> <baseURL> <concurrency>\n');
  process.exit(2);
}
const prompts = JSON.parse(fs.readFileSync(promptsFile, 'utf8'));
const client = new OpenAI({ apiKey: 'no-key', baseURL, maxRetries: 0, logLevel: 'off' });

const started = performance.now();
let next = 0;
let answered = 0;
// N workers pulling from one queue: exactly N requests in flight until the queue runs dry.
async function worker() {
  while (next < prompts.length) {
    const prompt = prompts[next++];
    const reply = await client.chat.completions.create({ model: 'bench', messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: 1024 });
    if (typeof reply.choices[0]?.message.content === 'string') answered += 1;
  }
}
await Promise.all(Array.from({ length: Number(concurrencyArg) }, worker));
process.stdout.write(JSON.stringify({ requestMs: performance.now() - started, answered }) + '\n');
