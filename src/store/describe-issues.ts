import type { z } from 'zod';
import { fieldKey, issueText } from '../core/problems.js';

/** The first few problems of a failed parse, each naming its field: for one-line reports of stored records. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => issueText(i, fieldKey))
    .join('; ');
}
