/**
 * Judge ids backed by models: `autorater.config.json` (in the repo: the paper's judges as presets) maps each id
 * to an adapter, model, decoding, limits and price. Users add or override ids in their own file (--config,
 * $AUTORATER_CONFIG, or ./autorater.config.local.json), e.g. a checkpoint that `extends` "flame-rm" with another
 * URL. Keys and URLs come from the environment: `apiKeyEnv` names the variable, and `${VAR}` in `baseURL` is
 * filled in from it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../harness/errors.ts';
import { REPO_ROOT } from '../harness/repo-root.ts';

export const ADAPTER_NAMES = ['openai', 'anthropic', 'gemini', 'openai-compatible', 'flame', 'local'] as const;
export type AdapterName = (typeof ADAPTER_NAMES)[number];
export const FLAME_PROTOCOLS = ['openai-completions', 'tgi', 'vertex-predict'] as const;
export type FlameProtocol = (typeof FLAME_PROTOCOLS)[number];
/**
 * How a judge answers: "generate" writes free text that the task's parser reads (the paper's protocol);
 * "score-options" reads the probability of each verdict option ("A"/"B", "Yes"/"No", each rating) at the
 * verdict position and answers with the most probable one, storing the probabilities for calibration.
 */
export const JUDGE_MODES = ['generate', 'score-options'] as const;
export type JudgeMode = (typeof JUDGE_MODES)[number];
/** Adapters whose servers return log-probabilities (Anthropic's and Gemini's adapters do not read any). */
export const SCORING_ADAPTERS: readonly AdapterName[] = ['openai', 'openai-compatible', 'flame', 'local'];

export const REPO_CONFIG = path.join(REPO_ROOT, 'autorater.config.json');
export const LOCAL_CONFIG = 'autorater.config.local.json';

const decoding = z
  .object({
    temperature: z.number().min(0).max(2),
    maxOutputTokens: z.number().int().positive(),
    topP: z.number().gt(0).max(1),
  })
  .partial()
  .strict();

const limits = z
  .object({
    concurrency: z.number().int().positive(),
    requestsPerMinute: z.number().positive(),
    tokensPerMinute: z.number().positive(),
    timeoutMs: z.number().int().positive(),
    maxAttempts: z.number().int().min(1).max(20),
    baseDelayMs: z.number().int().min(0),
    maxDelayMs: z.number().int().min(0),
    maxRetryAfterMs: z.number().int().min(0),
    maxReplyBytes: z.number().int().positive(),
    breakAfterFailures: z.number().int().min(1),
    breakAfterMs: z.number().int().min(0),
  })
  .partial()
  .strict();

const judgeEntry = z
  .object({
    extends: z.string().min(1),
    adapter: z.enum(ADAPTER_NAMES),
    model: z.string().min(1),
    description: z.string(),
    baseURL: z.string().min(1),
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable, not a key'),
    protocol: z.enum(FLAME_PROTOCOLS),
    mode: z.enum(JUDGE_MODES),
    contextSize: z.number().int().min(64),
    threads: z.number().int().positive(),
    decoding,
    limits,
    price: z.object({ inputPerMillion: z.number().min(0), outputPerMillion: z.number().min(0) }).strict(),
    publishedAs: z.string().min(1),
  })
  .partial()
  .strict();

const configFile = z
  .object({
    $comment: z.string().optional(),
    judges: z.record(z.string().regex(/^[\w.@/-]+$/, 'ids use letters, digits and . _ - / @'), judgeEntry),
  })
  .strict();

export type JudgeEntry = z.infer<typeof judgeEntry>;

export interface JudgeSpec {
  id: string;
  adapter: AdapterName;
  model: string;
  description?: string;
  /** Still with ${VAR} placeholders: filled in when the judge is created. */
  baseURL?: string;
  apiKeyEnv?: string;
  protocol?: FlameProtocol;
  /** Unset means "generate". */
  mode?: JudgeMode;
  /** The `local` adapter only: the context window in tokens (default: the model's, at most 8,192). */
  contextSize?: number;
  /** The `local` adapter only: CPU threads (default: node-llama-cpp's choice, all cores). */
  threads?: number;
  decoding: { temperature: number; maxOutputTokens: number; topP?: number };
  limits: {
    concurrency: number;
    requestsPerMinute?: number;
    tokensPerMinute?: number;
    timeoutMs?: number;
    maxAttempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    maxRetryAfterMs?: number;
    /**
     * Largest reply body read, in bytes (default 4 MiB, judges/api/bounded-fetch.ts): a bigger one is stored as
     * an error, the connection closed at the cap. A transport limit like timeoutMs: not in the fingerprint.
     */
    maxReplyBytes?: number;
    /** The breaker (harness/breaker.ts): this many consecutive same-cause failures, lasting at least breakAfterMs. */
    breakAfterFailures?: number;
    breakAfterMs?: number;
  };
  price?: { inputPerMillion: number; outputPerMillion: number };
  publishedAs?: string;
  /** The file that defined the id (for error messages). */
  file: string;
}

/** The paper's protocol: greedy decoding, up to 1,024 output tokens (arXiv text). */
export const DEFAULT_DECODING = { temperature: 0, maxOutputTokens: 1024 } as const;
const DEFAULT_CONCURRENCY = 4;

export interface ConfigSources {
  /** An explicit user file (--config or $AUTORATER_CONFIG); must exist. */
  userFile?: string;
  /** Where to look for autorater.config.local.json. */
  cwd?: string;
}

function positionToLine(text: string, message: string): string {
  const at = /position (\d+)/.exec(message);
  if (!at) return '';
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` (line ${line}, column ${column})`;
}

/**
 * The line where a zod issue's path ends in the file's text, so an error points at the entry to fix: each key of
 * the path is looked for after the previous one (array indices are skipped). Undefined when a key is not found,
 * e.g. for a missing required field.
 */
function lineOfPath(text: string, issuePath: readonly PropertyKey[]): number | undefined {
  let at = 0;
  let found = false;
  for (const key of issuePath) {
    if (typeof key !== 'string') continue;
    const next = text.indexOf(JSON.stringify(key), at);
    if (next < 0) return undefined;
    at = next;
    found = true;
  }
  return found ? text.slice(0, at).split('\n').length : undefined;
}

function readConfigFile(file: string): Record<string, JudgeEntry> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`judge config ${file} not found.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new UserError(`${file}: not valid JSON${positionToLine(text, message)}: ${message}`);
  }
  const parsed = configFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const line = lineOfPath(text, issue.path);
    throw new UserError(
      `${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}${line ? ` (line ${line})` : ''}`,
    );
  }
  return parsed.data.judges;
}

/** All configured ids, later files overriding earlier ones: repo presets, then the user's file. */
export function loadJudgeConfig(sources: ConfigSources = {}): Map<string, { entry: JudgeEntry; file: string }> {
  const files = [REPO_CONFIG];
  if (sources.userFile) files.push(path.resolve(sources.userFile));
  else {
    const local = path.resolve(sources.cwd ?? '.', LOCAL_CONFIG);
    if (fs.existsSync(local)) files.push(local);
  }
  const entries = new Map<string, { entry: JudgeEntry; file: string }>();
  for (const file of files) {
    for (const [id, entry] of Object.entries(readConfigFile(file))) entries.set(id, { entry, file });
  }
  return entries;
}

/** Follows `extends` and merges (decoding, limits and price field by field), then checks what is required. */
export function resolveJudgeSpec(
  id: string,
  entries: Map<string, { entry: JudgeEntry; file: string }>,
): JudgeSpec | undefined {
  const own = entries.get(id);
  if (!own) return undefined;
  const chain: { entry: JudgeEntry; file: string }[] = [];
  const seen = new Set<string>();
  for (let current: string | undefined = id; current !== undefined; ) {
    if (seen.has(current))
      throw new UserError(`${own.file}: judge "${id}" extends itself through ${[...seen].join(' → ')}.`);
    seen.add(current);
    const found = entries.get(current);
    if (!found)
      throw new UserError(
        `${chain.at(-1)?.file ?? own.file}: judge "${[...seen].at(-2)}" extends "${current}", which is not defined.`,
      );
    chain.unshift(found);
    current = found.entry.extends;
  }
  const merged: JudgeEntry = {};
  for (const { entry } of chain) {
    Object.assign(merged, {
      ...entry,
      decoding: { ...merged.decoding, ...entry.decoding },
      limits: { ...merged.limits, ...entry.limits },
    });
  }
  if (!merged.adapter)
    throw new UserError(`${own.file}: judge "${id}" needs an "adapter" (one of ${ADAPTER_NAMES.join(', ')}).`);
  if (!merged.model) throw new UserError(`${own.file}: judge "${id}" needs a "model".`);
  if (merged.adapter === 'flame' && !merged.protocol) {
    throw new UserError(
      `${own.file}: judge "${id}" uses the flame adapter and needs a "protocol" (one of ${FLAME_PROTOCOLS.join(', ')}).`,
    );
  }
  const mode = merged.mode ?? 'generate';
  if (
    mode === 'score-options' &&
    (!SCORING_ADAPTERS.includes(merged.adapter) || merged.protocol === 'vertex-predict')
  ) {
    const which =
      merged.protocol === 'vertex-predict' ? 'the vertex-predict protocol' : `the ${merged.adapter} adapter`;
    throw new UserError(
      `${own.file}: judge "${id}": "mode": "score-options" needs log-probabilities, which ${which} does not return ` +
        `(adapters that do: ${SCORING_ADAPTERS.join(', ')}; flame with openai-completions or tgi).`,
    );
  }
  if ((merged.contextSize !== undefined || merged.threads !== undefined) && merged.adapter !== 'local') {
    throw new UserError(`${own.file}: judge "${id}": "contextSize" and "threads" apply to the local adapter only.`);
  }
  return {
    id,
    adapter: merged.adapter,
    model: merged.model,
    description: merged.description,
    baseURL: merged.baseURL,
    apiKeyEnv: merged.apiKeyEnv,
    protocol: merged.protocol,
    ...(merged.mode !== undefined ? { mode: merged.mode } : {}),
    ...(merged.contextSize !== undefined ? { contextSize: merged.contextSize } : {}),
    ...(merged.threads !== undefined ? { threads: merged.threads } : {}),
    decoding: { ...DEFAULT_DECODING, ...merged.decoding },
    limits: { concurrency: DEFAULT_CONCURRENCY, ...merged.limits },
    price: merged.price,
    publishedAs: merged.publishedAs,
    file: own.file,
  };
}

/**
 * Fills ${VAR} placeholders from the environment. A missing variable is a one-line error saying what to set.
 */
export function expandEnv(
  value: string,
  env: NodeJS.ProcessEnv,
  what: string,
  Failure: new (message: string) => UserError = UserError,
): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const found = env[name];
    if (found === undefined || found === '') throw new Failure(`${what}: set ${name}.`);
    return found;
  });
}
