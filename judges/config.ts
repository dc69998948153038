/**
 * Judge ids backed by models: `autorater.config.json` (in the repo: the paper's judges as presets) maps each id
 * to an adapter, model, decoding, limits and price. Users add or override ids in their own file (--config,
 * $AUTORATER_CONFIG, or ./autorater.config.local.json), e.g. a checkpoint that `extends` "flame-rm" with another
 * URL. Keys and URLs come from the environment: `apiKeyEnv` names the variable, and `${VAR}` in `baseURL` is
 * filled in from it. Named juries, panels of these judges, go in a "juries" section (judges/jury.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../core/errors.ts';
import { REPO_ROOT } from '../core/repo-root.ts';
import type { Adapter } from './adapters/adapter.ts';
import type { Price } from './judge.ts';
import { ADAPTERS } from './adapters/index.ts';

/**
 * How a judge answers: "generate" writes free text that the task's parser reads (the paper's protocol);
 * "score-options" reads the probability of each verdict option ("A"/"B", "Yes"/"No", each rating) at the
 * verdict position and answers with the most probable one, storing the probabilities for calibration.
 */
export const JUDGE_MODES = ['generate', 'score-options'] as const;
export type JudgeMode = (typeof JUDGE_MODES)[number];

const REPO_CONFIG = path.join(REPO_ROOT, 'autorater.config.json');
const LOCAL_CONFIG = 'autorater.config.local.json';

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

/**
 * USD per million tokens; what a batch API charges (eval --batch) is either given ("batchInputPerMillion" and
 * "batchOutputPerMillion") or the price less "batchDiscount" (a fraction: 0.5 is half price, the default, as
 * OpenAI, Anthropic and Google charge for batches).
 */
const price = z
  .object({
    inputPerMillion: z.number().min(0),
    outputPerMillion: z.number().min(0),
    batchDiscount: z.number().min(0).max(1).optional(),
    batchInputPerMillion: z.number().min(0).optional(),
    batchOutputPerMillion: z.number().min(0).optional(),
  })
  .strict()
  .refine(
    (p) => (p.batchInputPerMillion === undefined) === (p.batchOutputPerMillion === undefined),
    'give both batchInputPerMillion and batchOutputPerMillion, or neither',
  )
  .refine(
    (p) => p.batchDiscount === undefined || p.batchInputPerMillion === undefined,
    'give batch prices or a batchDiscount, not both',
  );

/** The default "batchDiscount": the three providers with batch APIs charge half their list price. */
export const DEFAULT_BATCH_DISCOUNT = 0.5;

/** A configured price with what the batch API charges resolved (judges/judge.ts Price). */
function withBatchPrice(p: z.infer<typeof price>): Price {
  const { inputPerMillion, outputPerMillion } = p;
  if (p.batchInputPerMillion !== undefined && p.batchOutputPerMillion !== undefined) {
    const batch = { inputPerMillion: p.batchInputPerMillion, outputPerMillion: p.batchOutputPerMillion };
    return { inputPerMillion, outputPerMillion, batch };
  }
  const paid = 1 - (p.batchDiscount ?? DEFAULT_BATCH_DISCOUNT);
  return {
    inputPerMillion,
    outputPerMillion,
    batch: { inputPerMillion: inputPerMillion * paid, outputPerMillion: outputPerMillion * paid },
  };
}

/**
 * The fields of an entry, in the order zod checks them (it reports a file's first problem): the adapters' own
 * ones where flame's "protocol" always was.
 */
function entryShape(adapter: z.ZodType, own: Record<string, z.ZodType>) {
  return {
    extends: z.string().min(1),
    adapter,
    model: z.string().min(1),
    description: z.string(),
    baseURL: z.string().min(1),
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable, not a key'),
    ...own,
    mode: z.enum(JUDGE_MODES),
    decoding,
    limits,
    price,
    batch: z.boolean(),
    publishedAs: z.string().min(1),
  };
}

const commonEntry = z.object(entryShape(z.string(), {})).partial().strict();

/**
 * One judge's entry in a config file: the fields every judge has, and the adapters' own ones (flame's
 * "protocol", local's "contextSize" and "threads"), which each adapter's options type and check.
 */
export type JudgeEntry = z.infer<typeof commonEntry> & { [field: string]: unknown };

/**
 * How a jury turns its members' ratings into one (pointwise tasks; votes are always by majority, harness/jury.ts):
 * the mean or the median, rounded half up to the scale.
 */
export const JURY_AGGREGATES = ['mean', 'median'] as const;
export type JuryAggregate = (typeof JURY_AGGREGATES)[number];

/** A named jury (the "juries" section of a config file): its members' judge ids and how it aggregates ratings. */
const juryEntry = z
  .object({
    members: z
      .array(z.string().min(1))
      .min(2, 'a jury needs at least 2 members')
      .refine((ids) => new Set(ids).size === ids.length, 'a member is listed twice'),
    aggregate: z.enum(JURY_AGGREGATES).optional(),
    description: z.string().optional(),
  })
  .strict();

export type JuryEntry = z.infer<typeof juryEntry>;

type ConfigFile = z.ZodType<{ judges: Record<string, JudgeEntry>; juries?: Record<string, JuryEntry> }>;

/** The adapters' own fields, each with the schema of the adapter that declares it. */
function adapterFields(adapters: readonly Adapter[]): Record<string, z.ZodType> {
  const fields: Record<string, z.ZodType> = {};
  for (const adapter of adapters) {
    const own: Record<string, z.ZodType> = adapter.options?.fields ?? {};
    for (const [field, schema] of Object.entries(own)) {
      if (field in fields || field in commonEntry.shape)
        throw new Error(`the ${adapter.name} adapter declares "${field}", a field another adapter or every judge has`);
      fields[field] = schema;
    }
  }
  return fields;
}

const fileSchemas = new WeakMap<readonly Adapter[], ConfigFile>();

/** A config file's schema for these adapters: "adapter" is one of their names, and their fields are known. */
function configFile(adapters: readonly Adapter[]): ConfigFile {
  let schema = fileSchemas.get(adapters);
  if (!schema) {
    const names = z.enum(adapters.map((a) => a.name));
    const entry = z
      .object(entryShape(names, adapterFields(adapters)))
      .partial()
      .strict();
    const ids = z.string().regex(/^[\w.@/-]+$/, 'ids use letters, digits and . _ - / @');
    schema = z
      .object({
        $comment: z.string().optional(),
        judges: z.record(ids, entry).default({}),
        juries: z.record(ids, juryEntry).optional(),
      })
      .strict() as ConfigFile;
    fileSchemas.set(adapters, schema);
  }
  return schema;
}

export interface JudgeSpec {
  id: string;
  /** A registered adapter's name (judges/adapters/index.ts). */
  adapter: string;
  model: string;
  description?: string;
  /** Still with ${VAR} placeholders: filled in when the judge is created. */
  baseURL?: string;
  apiKeyEnv?: string;
  /** Unset means "generate". */
  mode?: JudgeMode;
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
     * Largest reply body read, in bytes (default 4 MiB, judges/adapters/bounded-fetch.ts): a bigger one is stored
     * as an error, the connection closed at the cap. A transport limit like timeoutMs: not in the fingerprint.
     */
    maxReplyBytes?: number;
    /** The breaker (harness/breaker.ts): this many consecutive same-cause failures, lasting at least breakAfterMs. */
    breakAfterFailures?: number;
    breakAfterMs?: number;
  };
  /** With the batch price resolved (see `price` above). */
  price?: Price;
  /** Send requests through the adapter's batch API by default (eval --batch). */
  batch?: boolean;
  publishedAs?: string;
  /** The file that defined the id (for error messages). */
  file: string;
  /**
   * The adapters' own fields, as set (flame's "protocol", local's "contextSize" and "threads"): each adapter
   * types the ones it declares (Adapter.create).
   */
  readonly [field: string]: unknown;
}

/** The paper's protocol: greedy decoding, up to 1,024 output tokens (arXiv text). */
export const DEFAULT_DECODING = { temperature: 0, maxOutputTokens: 1024 } as const;
const DEFAULT_CONCURRENCY = 4;

export interface ConfigSources {
  /** An explicit user file (--config or $AUTORATER_CONFIG); must exist. */
  userFile?: string;
  /** Where to look for autorater.config.local.json. */
  cwd?: string;
  /** The adapters an entry may name (default: the registry's, judges/adapters/index.ts). */
  adapters?: readonly Adapter[];
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

function readConfigFile(file: string, adapters: readonly Adapter[]): z.infer<ConfigFile> {
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
  const parsed = configFile(adapters).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const line = lineOfPath(text, issue.path);
    throw new UserError(
      `${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}${line ? ` (line ${line})` : ''}`,
    );
  }
  return parsed.data;
}

/** The config files read, in order: repo presets, then the user's file. */
function configFiles(sources: ConfigSources): string[] {
  const files = [REPO_CONFIG];
  if (sources.userFile) files.push(path.resolve(sources.userFile));
  else {
    const local = path.resolve(sources.cwd ?? '.', LOCAL_CONFIG);
    if (fs.existsSync(local)) files.push(local);
  }
  return files;
}

/** All configured ids, later files overriding earlier ones: repo presets, then the user's file. */
export function loadJudgeConfig(sources: ConfigSources = {}): Map<string, { entry: JudgeEntry; file: string }> {
  const entries = new Map<string, { entry: JudgeEntry; file: string }>();
  for (const file of configFiles(sources)) {
    for (const [id, entry] of Object.entries(readConfigFile(file, sources.adapters ?? ADAPTERS).judges)) {
      entries.set(id, { entry, file });
    }
  }
  return entries;
}

/**
 * The named juries ("juries" in any config file, later files overriding earlier ones). An id that is both a judge
 * and a jury is refused, naming the file that made it so.
 */
export function loadJuryConfig(sources: ConfigSources = {}): Map<string, { entry: JuryEntry; file: string }> {
  const judges = new Set<string>();
  const juries = new Map<string, { entry: JuryEntry; file: string }>();
  for (const file of configFiles(sources)) {
    const read = readConfigFile(file, sources.adapters ?? ADAPTERS);
    for (const id of Object.keys(read.judges)) judges.add(id);
    for (const [id, entry] of Object.entries(read.juries ?? {})) juries.set(id, { entry, file });
    for (const id of juries.keys()) {
      if (judges.has(id))
        throw new UserError(`${file}: "${id}" is both a judge and a jury: give one of them another id.`);
    }
  }
  return juries;
}

/** "adapters that do: …" for the score-options error: the adapters with log-probabilities, some for some settings. */
function scoringAdapters(adapters: readonly Adapter[]): string {
  const scoring = adapters.filter((a) => a.capabilities.logprobs !== false).map((a) => a.name);
  const notes = adapters.flatMap(({ capabilities }) =>
    typeof capabilities.logprobs === 'object' ? [capabilities.logprobs.note] : [],
  );
  return [`adapters that do: ${scoring.join(', ')}`, ...notes].join('; ');
}

/** Why a judge of this adapter cannot run through a batch API, naming the adapters that have one. */
export function noBatchApi(adapter: Pick<Adapter, 'name'>, adapters: readonly Adapter[] = ADAPTERS): string {
  const batching = adapters.filter((a) => a.capabilities.batch).map((a) => a.name);
  return (
    `"batch" needs a provider batch API, which the ${adapter.name} adapter does not have ` +
    `(adapters that do: ${batching.join(', ') || 'none'}).`
  );
}

/**
 * What is wrong with a merged entry for its adapter, as a sentence starting `judge "<id>"`: the adapter's own check
 * of its fields, "score-options" where it returns no log-probabilities, or fields another adapter keeps to itself.
 */
function entryProblem(id: string, merged: JudgeEntry, adapter: Adapter, adapters: readonly Adapter[]) {
  const own = adapter.options?.check?.(merged, id);
  if (own) return own;
  const { logprobs } = adapter.capabilities;
  if (merged.mode === 'score-options' && logprobs !== true) {
    const which = logprobs === false ? `the ${adapter.name} adapter` : logprobs.unsupported(merged);
    if (which !== undefined) {
      return (
        `judge "${id}": "mode": "score-options" needs log-probabilities, which ${which} does not return ` +
        `(${scoringAdapters(adapters)}).`
      );
    }
  }
  if (merged.batch === true && !adapter.capabilities.batch) return `judge "${id}": ${noBatchApi(adapter, adapters)}`;
  for (const other of adapters) {
    const fields = Object.keys(other.options?.fields ?? {});
    if (other !== adapter && other.options?.elsewhere && fields.some((field) => merged[field] !== undefined))
      return `judge "${id}": ${other.options.elsewhere}`;
  }
  return undefined;
}

/**
 * Follows `extends` and merges (decoding and limits field by field), then checks what is required: a known
 * adapter and a model, and what the adapter asks of its own fields and of "mode".
 */
export function resolveJudgeSpec(
  id: string,
  entries: Map<string, { entry: JudgeEntry; file: string }>,
  adapters: readonly Adapter[] = ADAPTERS,
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
  const adapter = adapters.find((a) => a.name === merged.adapter);
  if (!adapter) {
    const names = adapters.map((a) => a.name).join(', ');
    throw new UserError(`${own.file}: judge "${id}" needs an "adapter" (one of ${names}).`);
  }
  if (!merged.model) throw new UserError(`${own.file}: judge "${id}" needs a "model".`);
  const problem = entryProblem(id, merged, adapter, adapters);
  if (problem) throw new UserError(`${own.file}: ${problem}`);
  // The adapters' fields that are set: its own adapter's, and any another adapter lets other judges carry (flame's
  // "protocol", which createApiJudge puts in every fingerprint).
  const options = adapters.flatMap((a) => Object.keys(a.options?.fields ?? {}).filter((f) => merged[f] !== undefined));
  return {
    ...Object.fromEntries(options.map((field) => [field, merged[field]])),
    id,
    adapter: adapter.name,
    model: merged.model,
    description: merged.description,
    baseURL: merged.baseURL,
    apiKeyEnv: merged.apiKeyEnv,
    ...(merged.mode !== undefined ? { mode: merged.mode } : {}),
    decoding: { ...DEFAULT_DECODING, ...merged.decoding },
    limits: { concurrency: DEFAULT_CONCURRENCY, ...merged.limits },
    price: merged.price && withBatchPrice(merged.price),
    ...(merged.batch !== undefined ? { batch: merged.batch } : {}),
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
