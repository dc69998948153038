/**
 * FLAMe's unified text-to-text format (Vu et al. 2024, Figure 1): an INSTRUCTIONS block (task definition,
 * evaluation instructions, the output fields wanted) followed by a CONTEXT block (the inputs). Every judge
 * receives exactly this text, so scores differ only by judge.
 */
import type { Instructions, Task } from '../harness/tasks.ts';

interface OutputField {
  name: string;
  description: string;
}

interface ContextField {
  name: string;
  value: string;
}

/** The answer format for each task kind. The parser for that kind reads these field names. */
function outputFields(task: Task): OutputField[] {
  switch (task.kind) {
    case 'pairwise':
      return [
        { name: 'explanation', description: 'one to three sentences comparing the two responses' },
        { name: 'better response', description: '"A" or "B"' },
      ];
    case 'pointwise':
    case 'classification':
      throw new Error(`no FLAMe output fields are defined yet for ${task.kind} tasks`);
  }
}

function contextFields(task: Task): ContextField[] {
  switch (task.kind) {
    case 'pairwise':
      return [
        { name: 'prompt', value: task.context },
        { name: 'response A', value: task.responseA },
        { name: 'response B', value: task.responseB },
      ];
    case 'pointwise':
    case 'classification':
      throw new Error(`no FLAMe context fields are defined yet for ${task.kind} tasks`);
  }
}

export function renderPrompt(instructions: Instructions, task: Task): string {
  const fields = outputFields(task);
  const example = fields.map((f) => `${f.name}: ...`).join('\n');
  const lines = [
    'INSTRUCTIONS:',
    `Task definition: ${instructions.taskDefinition}`,
    '',
    `Evaluation instructions: ${instructions.evaluationInstructions}`,
    '',
    'Output fields:',
    ...fields.map((f) => `- ${f.name}: ${f.description}`),
    'Write each output field on its own line, in this order:',
    example,
    '',
    'CONTEXT:',
  ];
  for (const field of contextFields(task)) {
    lines.push(`${field.name}:`, field.value, '');
  }
  return lines.join('\n').trimEnd() + '\n';
}
