/** Picks the verdict parser for a task kind. Each kind's parser reads the output fields judges/prompt.ts asks for. */
import type { Parsed, Task } from '../harness/tasks.ts';
import { parsePairwise } from './parse-pairwise.ts';

export function parseReply(task: Task, text: string): Parsed {
  switch (task.kind) {
    case 'pairwise':
      return parsePairwise(text);
    case 'pointwise':
    case 'classification':
      throw new Error(`no verdict parser exists yet for ${task.kind} tasks`);
  }
}
