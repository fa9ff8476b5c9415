import { z } from 'zod';
import type { ChatMessage } from './llm-client.js';
import { DEFAULT_REFINE_TEMPLATE, DEFAULT_SYSTEM_TEMPLATE, DEFAULT_USER_TEMPLATE, renderTemplate, STRATEGY_CONTRACT, STRATEGY_EXAMPLE } from './prompt-templates.js';

export const PromptTemplatesSchema = z.strictObject({
  /** The system message: the contract and the example (placeholders {{contract}} {{example}}). */
  system: z.string().min(1).default(DEFAULT_SYSTEM_TEMPLATE),
  /** A first-round request ({{candidate}} {{candidates}} {{round}} {{data}}). */
  user: z.string().min(1).default(DEFAULT_USER_TEMPLATE),
  /** A refinement request ({{candidate}} {{candidates}} {{round}} {{data}} {{code}} {{statistics}}). */
  refine: z.string().min(1).default(DEFAULT_REFINE_TEMPLATE),
});
export type PromptTemplates = z.input<typeof PromptTemplatesSchema>;

export interface PromptValues {
  readonly candidate: number;
  readonly candidates: number;
  readonly round: number;
  /** The data summaries of the train window (markdown). */
  readonly data: string;
  /** For a refinement: the previous code and its train statistics (markdown). */
  readonly refine?: { readonly code: string; readonly statistics: string };
}

/** The chat messages asking for one candidate. */
export function buildPrompt(templates: z.output<typeof PromptTemplatesSchema>, values: PromptValues): ChatMessage[] {
  const system = renderTemplate(templates.system, { contract: STRATEGY_CONTRACT, example: STRATEGY_EXAMPLE }, 'system prompt template');
  const common = { candidate: String(values.candidate), candidates: String(values.candidates), round: String(values.round), data: values.data };
  const user =
    values.refine === undefined
      ? renderTemplate(templates.user, common, 'user prompt template')
      : renderTemplate(templates.refine, { ...common, code: values.refine.code, statistics: values.refine.statistics }, 'refine prompt template');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

/** A prompt as one markdown text (the file under prompts/). */
export function promptText(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `<!-- ${m.role} -->\n${m.content}\n`).join('\n');
}
