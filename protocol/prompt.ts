/**
 * FLAMe's unified text-to-text format (Vu et al. 2024, Figure 1): an INSTRUCTIONS block (task definition,
 * evaluation instructions, the output fields wanted) followed by a CONTEXT block (the inputs). Every judge
 * receives exactly this text, so scores differ only by judge. The output field names here are what the
 * parsers in protocol/parse-*.ts read.
 */
import type { Instructions, Task } from './tasks.ts';

interface Field {
  name: string;
  value: string;
}

export const OUTPUT_FIELD = {
  pairwise: 'better response',
  pointwise: 'rating',
  classification: 'supported',
} as const;

/** The answer format for each task kind: name and description of each output field. */
function outputFields(task: Task): Field[] {
  switch (task.kind) {
    case 'pairwise':
      return [
        { name: 'explanation', value: 'one to three sentences comparing the two responses' },
        { name: OUTPUT_FIELD.pairwise, value: '"A" or "B"' },
      ];
    case 'pointwise':
      return [
        {
          name: 'explanation',
          value: `one to three sentences on the ${task.labels?.response ?? 'response'}'s ${task.criterion}`,
        },
        {
          name: OUTPUT_FIELD.pointwise,
          value: `an integer from ${task.scale.min} (worst) to ${task.scale.max} (best) for ${task.criterion}`,
        },
      ];
    case 'classification':
      return [
        {
          name: 'explanation',
          value: 'one to three sentences on whether the document supports every part of the claim',
        },
        { name: OUTPUT_FIELD.classification, value: '"Yes" or "No"' },
      ];
  }
}

/** The CONTEXT block's fields (the task's inputs), in prompt order. */
export function contextFields(task: Task): Field[] {
  switch (task.kind) {
    case 'pairwise': {
      const response = task.labels?.response ?? 'response';
      // The optional fields render only when set, so prompts of tasks without them stay byte-identical.
      const label = (slot: 'A' | 'B'): string =>
        task.authors ? `${response} ${slot} (${task.authors[slot]})` : `${response} ${slot}`;
      return [
        { name: task.labels?.context ?? 'prompt', value: task.context },
        ...(task.reference !== undefined ? [{ name: 'reference', value: task.reference }] : []),
        { name: label('A'), value: task.responseA },
        { name: label('B'), value: task.responseB },
        ...(task.note !== undefined ? [{ name: 'note', value: task.note }] : []),
      ];
    }
    case 'pointwise':
      return [
        { name: task.labels?.context ?? 'prompt', value: task.context },
        { name: task.labels?.response ?? 'response', value: task.response },
      ];
    case 'classification':
      return [
        { name: 'document', value: task.document },
        { name: 'claim', value: task.claim },
      ];
  }
}

/**
 * The prompt up to "CONTEXT:", without a newline: what every item of a benchmark (and task shape) shares. The prompt
 * is this, a newline, then each context field as `name:` / value / an empty line, right-trimmed, plus a newline.
 */
export function promptHead(instructions: Instructions, task: Task): string {
  const fields = outputFields(task);
  return [
    'INSTRUCTIONS:',
    `Task definition: ${instructions.taskDefinition}`,
    '',
    `Evaluation instructions: ${instructions.evaluationInstructions}`,
    '',
    'Output fields:',
    ...fields.map((f) => `- ${f.name}: ${f.value}`),
    'Write each output field on its own line, in this order:',
    ...fields.map((f) => `${f.name}: ...`),
    '',
    'CONTEXT:',
  ].join('\n');
}

export function renderPrompt(instructions: Instructions, task: Task): string {
  const lines = [promptHead(instructions, task)];
  for (const field of contextFields(task)) lines.push(`${field.name}:`, field.value, '');
  return lines.join('\n').trimEnd() + '\n';
}
