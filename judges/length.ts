/**
 * Length baselines: prefer the longer (or shorter) response, by Unicode code points (Python's len, which the
 * published length audits use; JS .length counts UTF-16 units). Equal lengths are a tie. FLAMe's Appendix B
 * shows why this is a useful sanity row: RewardBench's Chat section rewards length, Chat Hard punishes it.
 */
import { UserError } from '../core/errors.ts';
import { codePointLength } from '../core/text.ts';
import type { Judge, JudgeFactory } from './judge.ts';

function lengthJudge(id: string, prefer: 'longer' | 'shorter'): Judge {
  return {
    id,
    config: { adapter: 'length', prefer, unit: 'unicode code points' },
    tasks: ['pairwise'],
    concurrency: 1,
    async judge(request) {
      if (request.task.kind !== 'pairwise') throw new Error(`${id} only judges pairwise tasks`);
      const a = codePointLength(request.task.responseA);
      const b = codePointLength(request.task.responseB);
      const choice = a === b ? 'tie' : a > b === (prefer === 'longer') ? 'A' : 'B';
      return { type: 'verdict', verdict: { kind: 'pairwise', choice }, note: `length A=${a} B=${b}` };
    },
  };
}

function factory(name: string, prefer: 'longer' | 'shorter'): JudgeFactory {
  return {
    name,
    usage: name,
    description: `baseline: prefers the ${prefer} response (Unicode code points; equal length is a tie)`,
    async create(arg) {
      if (arg !== undefined) throw new UserError(`${name} takes no argument (got "${name}:${arg}")`);
      return lengthJudge(name, prefer);
    },
  };
}

export const longerWins = factory('longer-wins', 'longer');
export const shorterWins = factory('shorter-wins', 'shorter');
