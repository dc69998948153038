/**
 * A jury: a panel of judges whose verdicts are combined per item ("jury:a,b,c" on the command line, or a named
 * jury in the "juries" section of a judge config). A jury never answers a request itself: the run asks each member
 * through the normal run path, so every member's judgments are stored under its own fingerprint, reused and resumed
 * like any judge's, and the jury's verdicts are computed from them (harness/jury.ts). Here: the jury as a Judge
 * object (its id, members, identity and task kinds), for the commands that take judge ids.
 */
import { UserError } from '../core/errors.ts';
import { canonicalJson } from '../core/hash.ts';
import type { JuryAggregate } from './config.ts';
import type { Judge } from './judge.ts';

export const JURY_PREFIX = 'jury:';

/** What makes a jury: its members' ids and how it combines ratings. */
export interface JuryDefinition {
  members: readonly string[];
  aggregate: JuryAggregate;
  /** The config file of a named jury (for error messages). */
  file?: string;
}

export interface JuryJudge extends Judge {
  readonly jury: { readonly members: readonly Judge[]; readonly aggregate: JuryAggregate };
}

export function isJury(judge: Judge): judge is JuryJudge {
  return (judge as Partial<JuryJudge>).jury !== undefined;
}

/** The members' ids of an ad-hoc jury id ("jury:a,b,c"); undefined for any other id. */
export function juryMemberIds(id: string): string[] | undefined {
  const trimmed = id.trim();
  if (!trimmed.startsWith(JURY_PREFIX)) return undefined;
  return trimmed
    .slice(JURY_PREFIX.length)
    .split(',')
    .map((m) => m.trim());
}

/** The judges that do the asking: a jury's members, or the judge itself. */
export function askingJudges(judge: Judge): readonly Judge[] {
  return isJury(judge) ? judge.jury.members : [judge];
}

/** Whether dollars can be given for the judge's requests: it has a price (a jury: every member has one). */
export function hasPrice(judge: Judge): boolean {
  return askingJudges(judge).every((j) => j.price !== undefined);
}

/**
 * Makes the jury `id` from its definition; `create` makes each member. Refused: fewer than two members, a member
 * named twice, a member that is itself a jury, two members with the same configuration (they would vote alike), and
 * members that answer no task kind in common.
 */
export async function createJury(
  id: string,
  definition: JuryDefinition,
  create: (memberId: string) => Promise<Judge>,
): Promise<JuryJudge> {
  const where = definition.file ? `${definition.file}: ` : '';
  const ids = definition.members;
  const what = `${where}jury "${id}"`;
  if (ids.some((m) => m === '')) throw new UserError(`${what}: an empty member id (write jury:a,b,c).`);
  if (ids.length < 2) throw new UserError(`${what}: a jury needs at least 2 members.`);
  const twice = ids.find((m, i) => ids.indexOf(m) !== i);
  if (twice !== undefined) throw new UserError(`${what}: "${twice}" is listed twice.`);
  const members: Judge[] = [];
  try {
    for (const memberId of ids) {
      const member = await create(memberId);
      members.push(member);
      if (isJury(member)) throw new UserError(`${what}: member "${memberId}" is a jury; juries do not nest.`);
    }
    const configs = members.map((m) => canonicalJson(m.config));
    const same = configs.findIndex((c, i) => configs.indexOf(c) !== i);
    if (same >= 0) {
      const first = members[configs.indexOf(configs[same]!)]!.id;
      throw new UserError(
        `${what}: members "${first}" and "${members[same]!.id}" have the same configuration, so they would vote ` +
          'alike: keep one.',
      );
    }
    const tasks = members[0]!.tasks.filter((kind) => members.every((m) => m.tasks.includes(kind)));
    if (tasks.length === 0) {
      const kinds = members.map((m) => `${m.id}: ${m.tasks.join(', ')}`).join('; ');
      throw new UserError(`${what}: its members answer no task kind in common (${kinds}).`);
    }
    return {
      id,
      // Its identity: the members' configurations (in a fixed order, so the order they are named in does not
      // matter) and the aggregation. Nothing is stored under it; it names the jury in summary.json and caches.
      config: {
        jury: [...configs].sort().map((c) => JSON.parse(c) as unknown),
        aggregate: definition.aggregate,
      },
      tasks,
      // The benchmarks every member has answers for, when any member is limited to some (a replay).
      ...(members.some((m) => m.benchmarks) ? { benchmarks: commonBenchmarks(members) } : {}),
      // Asked once where a benchmark asks both orders only if every member is (harness/prepare.ts).
      ...(members.every((m) => m.orderIndependent) ? { orderIndependent: true } : {}),
      concurrency: 1,
      jury: { members, aggregate: definition.aggregate },
      judge: () => Promise.reject(new Error(`${id} is a jury: its members are asked, each through its own run`)),
      close: async () => {
        for (const m of members) await m.close?.();
      },
    };
  } catch (error) {
    for (const m of members) await m.close?.();
    throw error;
  }
}

/** The benchmark ids all limited members share (members with no list answer every benchmark of their task kinds). */
function commonBenchmarks(members: readonly Judge[]): string[] {
  const lists = members.flatMap((m) => (m.benchmarks ? [m.benchmarks] : []));
  return lists[0]!.filter((id) => lists.every((list) => list.includes(id)));
}
