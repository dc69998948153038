/** Picks the verdict parser for a task kind. Each parser reads the output fields protocol/prompt.ts asks for. */
import type { Parsed, Task } from './tasks.ts';
import { parseClassification } from './parse-classification.ts';
import { parsePairwise } from './parse-pairwise.ts';
import { parsePointwise } from './parse-pointwise.ts';

export function parseReply(task: Task, text: string): Parsed {
  switch (task.kind) {
    case 'pairwise':
      return parsePairwise(text);
    case 'pointwise':
      return parsePointwise(text, task.scale);
    case 'classification':
      return parseClassification(text);
  }
}
